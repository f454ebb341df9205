"""Host: one libvolcrypt handle, kept open across calls."""

import ctypes
import json

from . import _library as lib
from .errors import error_for

_INCONSISTENT = 11


def _key_input(value, kind):
    """A KeyInput over the caller's bytes, and the buffer that must outlive the call.
    A bytearray is used in place (and wiped by the caller of this); bytes and str are
    immutable, so their copies stay until Python frees them."""
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytearray):
        buffer = (ctypes.c_char * len(value)).from_buffer(value) if value else None
    elif isinstance(value, bytes):
        buffer = ctypes.create_string_buffer(value, len(value)) if value else None
    else:
        raise TypeError("a key is bytes, bytearray or str, not " + type(value).__name__)
    key = lib.KeyInput(ctypes.sizeof(lib.KeyInput), kind, None, len(value), -1)
    if buffer is not None:
        key.bytes = ctypes.cast(buffer, ctypes.c_void_p)
    return key, buffer


def _one_key(raw, passphrase, names):
    """The KeyInput of whichever of raw and passphrase is given, its buffer, and the value."""
    if raw is not None and passphrase is not None:
        raise TypeError("give %s or %s, not both" % names)
    value = raw if raw is not None else passphrase
    if value is None:
        return None, None, None
    kind = lib.KEY_INPUT_RAW if raw is not None else lib.KEY_INPUT_PASSPHRASE
    key, buffer = _key_input(value, kind)
    return key, buffer, value


def _wipe(value):
    if isinstance(value, bytearray):
        value[:] = bytes(len(value))


def _options(options):
    """Keyword arguments as the call's JSON options: key_file -> "key-file"."""
    named = {}
    for name, value in options.items():
        if value is None or value is False:
            continue
        if isinstance(value, tuple):
            value = list(value)
        named[name.replace("_", "-")] = value
    return json.dumps(named)


class Host:
    """volcrypt on one libvirt connection: uri (None: the config's connect, else
    qemu:///system), config (None: /etc/volcrypt/volcrypt.conf when it exists),
    plugin_dirs searched first, log(level, message) called with what the program logs
    at log_level and above (0 debug, 1 info, 2 warnings, 3 errors).

    Calls on one Host run one at a time (a Host may be shared between threads); open one
    Host per thread for calls that run in parallel."""

    def __init__(self, uri=None, config=None, plugin_dirs=None, log=None, log_level=2):
        self._handle = None
        self._log = lib.LogFunction(lambda _, level, message: log(level, message.decode(
            errors="replace"))) if log else lib.LogFunction()
        dirs = [d.encode() for d in (plugin_dirs or [])]
        self._dirs = (ctypes.c_char_p * (len(dirs) + 1))(*dirs, None)
        options = lib.OpenOptions(
            ctypes.sizeof(lib.OpenOptions),
            uri.encode() if uri else None,
            config.encode() if config else None,
            ctypes.cast(self._dirs, ctypes.POINTER(ctypes.c_char_p)),
            self._log,
            None,
            log_level,
        )
        handle = ctypes.c_void_p()
        outcome = lib.Outcome()
        code = lib.LIBRARY.volcrypt_open(ctypes.byref(options), ctypes.byref(handle),
                                         ctypes.byref(outcome))
        if code != 0:
            raise error_for(code, outcome.kind.decode(), outcome.message.decode(errors="replace"))
        self._handle = handle

    def close(self):
        if self._handle is not None:
            lib.LIBRARY.volcrypt_close(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def call(self, command, *, key=None, passphrase=None, new_key=None, new_passphrase=None,
             input=None, **options):
        """Runs COMMAND with options as keyword arguments; key (raw key bytes) or
        passphrase instead of key_file or passphrase_file (rekey: new_key or new_passphrase
        instead of new_key_file or new_passphrase_file); input: what "-" reads in an
        option that names a file. Returns the --json document as a dict."""
        if self._handle is None:
            raise ValueError("this volcrypt.Host is closed")
        key_input, buffer, secret = _one_key(key, passphrase, ("key", "passphrase"))
        new_input, new_buffer, new_secret = _one_key(new_key, new_passphrase,
                                                     ("new_key", "new_passphrase"))
        data = input.encode() if isinstance(input, str) else input
        request = lib.Request(
            ctypes.sizeof(lib.Request),
            _options(options).encode(),
            ctypes.pointer(key_input) if key_input is not None else None,
            data,
            len(data) if data is not None else 0,
            ctypes.pointer(new_input) if new_input is not None else None,
        )
        result = ctypes.c_void_p()
        outcome = lib.Outcome()
        try:
            code = lib.LIBRARY.volcrypt_call(self._handle, command.encode(),
                                             ctypes.byref(request), ctypes.byref(result),
                                             ctypes.byref(outcome))
        finally:
            # libvolcrypt copied the key into its locked memory before anything else.
            for used in (buffer, new_buffer):
                if used is not None:
                    ctypes.memset(used, 0, ctypes.sizeof(used))
            _wipe(secret)
            _wipe(new_secret)
        document = None
        if result.value:
            try:
                document = json.loads(ctypes.string_at(result.value).decode())
            finally:
                lib.LIBRARY.volcrypt_free(result)
        if code == 0 or (code == _INCONSISTENT and document is not None):
            return document
        raise error_for(code, outcome.kind.decode(), outcome.message.decode(errors="replace"),
                        document)

    def _command(name):
        def run(self, **options):
            if name in ("attach", "probe") and "volume" in options:
                options["volume_json"] = "-"
                options["input"] = json.dumps(options.pop("volume"))
            if name in ("attach", "detach") and isinstance(options.get("batch"), list):
                options["input"] = json.dumps(options.pop("batch"))
                options["batch"] = "-"
            return self.call(name.replace("_", "-"), **options)

        run.__name__ = name
        run.__doc__ = "Runs `volcrypt %s` with these options (see Host.call)." % name.replace(
            "_", "-")
        return run

    plugins = _command("plugins")
    probe = _command("probe")
    host_bench = _command("host_bench")
    attach = _command("attach")
    detach = _command("detach")
    extend = _command("extend")
    rekey = _command("rekey")
    list = _command("list")
    prepare = _command("prepare")
    release = _command("release")
    start = _command("start")
    check = _command("check")
    recover = _command("recover")
    migrate = _command("migrate")
    migrate_prepare = _command("migrate_prepare")
    migrate_finish = _command("migrate_finish")
    migrate_abort = _command("migrate_abort")
    commands = _command("commands")
    del _command
