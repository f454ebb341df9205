"""volcrypt from Python: attach encrypted volumes to libvirt domains in this process,
through libvolcrypt (the same commands as the volcrypt program).

    with volcrypt.Host(uri="qemu:///system") as host:
        host.attach(domain="vm1", target="sdb", source="/srv/vol.img", volume_id="v1",
                    provider="luks", passphrase_file="/etc/keys/v1", live=True)
        host.detach(domain="vm1", target="sdb", live=True)

Each method runs the command of its name with its options as keyword arguments (a
dash in an option is an underscore here) and returns what `volcrypt --json COMMAND`
prints, as a dict. A failure raises VolcryptError (a subclass per exit code).
"""

from ._host import Host
from .errors import (
    BusyError,
    InternalError,
    LibvirtError,
    NoPluginError,
    NotFoundError,
    PluginFailedError,
    RefusedDataError,
    UnexpectedError,
    UsageError,
    VolcryptError,
    WrongKeyError,
)
from ._library import LIBRARY as _LIBRARY

__version__ = _LIBRARY.volcrypt_version().decode()

__all__ = [
    "Host",
    "VolcryptError",
    "UnexpectedError",
    "UsageError",
    "NotFoundError",
    "WrongKeyError",
    "RefusedDataError",
    "NoPluginError",
    "BusyError",
    "PluginFailedError",
    "LibvirtError",
    "InternalError",
]
