"""Fixtures for the Python binding's tests: the real libvirtd at qemu:///system, TCG
domains, LUKS1 volumes whose plaintext QEMU wrote, and a volcrypt.Host on the built
library (PYTHONPATH=build/python, set by CTest)."""

import os
import secrets
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ElementTree

import libvirt
import libvirt_qemu
import pytest

import volcrypt

URI = "qemu:///system"
_counter = [0]


def unique(prefix):
    _counter[0] += 1
    return "vc-py-%d-%d-%s" % (os.getpid(), _counter[0], prefix)


@pytest.fixture
def connection():
    conn = libvirt.open(URI)
    yield conn
    conn.close()


@pytest.fixture
def scratch():
    path = tempfile.mkdtemp(prefix="volcrypt-py-")
    os.chmod(path, 0o755)  # QEMU runs as libvirt-qemu and must reach the volumes
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def passphrase(scratch):
    """A fresh passphrase (text) and the 0600 file holding it."""
    text = secrets.token_urlsafe(24)
    path = os.path.join(scratch, "passphrase")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(text)
    return text, path


@pytest.fixture
def luks_volume(scratch, passphrase):
    """make(name, pattern): a LUKS1 file whose first MiB of plaintext is `pattern`,
    written through QEMU's LUKS code (the header by cryptsetup at a fixed PBKDF2 count)."""
    _, key_file = passphrase

    def make(name, pattern):
        path = os.path.join(scratch, name)
        with open(path, "wb") as f:
            f.truncate(8 << 20)
        subprocess.run(["cryptsetup", "luksFormat", "--batch-mode", "--type", "luks1",
                        "--pbkdf-force-iterations", "1000", "--key-file", key_file, path],
                       check=True, capture_output=True)
        subprocess.run(["qemu-io", "--object", "secret,id=k,file=" + key_file, "--image-opts",
                        "driver=luks,key-secret=k,file.filename=" + path,
                        "-c", "write -P %d 0 1M" % pattern], check=True, capture_output=True)
        return path

    return make


class Domain:
    """A running transient TCG domain with a virtio-scsi controller."""

    def __init__(self, connection, name):
        self.name = name
        self.connection = connection
        self.dom = connection.createXML(
            "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
            "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>"
            "<on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><devices>"
            "<controller type='scsi' index='0' model='virtio-scsi'/></devices></domain>" % name)

    def live_xml(self):
        return self.dom.XMLDesc(0)

    def reads_pattern(self, target, pattern):
        """Whether the guest's disk at target reads `pattern` in its first MiB, checked by
        qemu-io inside QEMU on the decrypting node (its verdict goes to the domain log)."""
        root = ElementTree.fromstring(self.live_xml())
        for disk in root.iter("disk"):
            if disk.find("target").get("dev") == target:
                index = disk.find("source").get("index")
                break
        else:
            return False
        log = "/var/log/libvirt/qemu/%s.log" % self.name
        before = os.path.getsize(log)
        libvirt_qemu.qemuMonitorCommand(
            self.dom, 'qemu-io libvirt-%s-format "read -P %d 0 1M"' % (index, pattern),
            libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(log, errors="replace") as f:
                f.seek(before)
                fresh = f.read()
            if "bytes at offset" in fresh:
                return "Pattern verification failed" not in fresh
            time.sleep(0.05)
        return False

    def destroy(self):
        try:
            self.dom.destroy()
        except libvirt.libvirtError:
            pass


@pytest.fixture
def domain(connection):
    made = Domain(connection, unique("dom"))
    yield made
    made.destroy()


@pytest.fixture
def volume_ids(connection):
    """Volume ids a test attaches: their secrets are removed after it, whatever happened."""
    ids = []
    yield ids
    for volume_id in ids:
        for uuid in secrets_of(connection, volume_id):
            connection.secretLookupByUUIDString(uuid).undefine()


def secrets_of(connection, volume_id):
    found = []
    for uuid in connection.listSecrets():
        secret = connection.secretLookupByUUIDString(uuid)
        if secret.usageType() == libvirt.VIR_SECRET_USAGE_TYPE_VOLUME and \
                secret.usageID() == volume_id:
            found.append(uuid)
    return found


@pytest.fixture
def log_lines():
    return []


@pytest.fixture
def host(log_lines):
    with volcrypt.Host(log=lambda level, line: log_lines.append(line), log_level=0) as opened:
        yield opened


@pytest.fixture
def program():
    """The built volcrypt program, to compare the binding with."""
    return os.environ["VOLCRYPT_BINARY"]
