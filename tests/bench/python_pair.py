"""The Python pair: volcrypt.Host kept open (attach + detach) against python-libvirt making
the same libvirt calls on one long-lived connection, as an agent written in Python keeps
one. Run by volcrypt_bench_agents on its domain and volume (as root, PYTHONPATH holding
the built package); prints each round and the median of the rounds' ratios."""

import argparse
import os
import resource
import statistics
import time

import libvirt
import volcrypt

RECORD_NAMESPACE = "urn:volcrypt:record:1"
RECORD_PREFIX = "volcrypt"


class BarePair:
    """The calls volcrypt makes for a native LUKS file, by hand: a private volume secret
    holding the passphrase, the disk, the record; then the reverse, polling every 20 ms
    (as volcrypt does) until the disk has left the live XML."""

    def __init__(self, connection, args, passphrase):
        self.connection = connection
        self.domain = connection.lookupByName(args.domain)
        self.args = args
        self.passphrase = passphrase

    def disk_xml(self, uuid):
        a = self.args
        return (
            "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            f"<source file='{a.source}'><encryption format='luks'>"
            f"<secret type='passphrase' uuid='{uuid}'/></encryption></source>"
            f"<target dev='{a.target}' bus='scsi'/><serial>{a.volume_id}</serial></disk>"
        )

    def __call__(self):
        a = self.args
        secret = self.connection.secretDefineXML(
            "<secret ephemeral='no' private='yes'><description>volcrypt passphrase for volume "
            f"{a.volume_id}</description><usage type='volume'><volume>{a.volume_id}"
            "</volume></usage></secret>"
        )
        secret.setValue(self.passphrase)
        uuid = secret.UUIDString()
        disk = self.disk_xml(uuid)
        self.domain.attachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        record = (
            f"<attachments><disk target='{a.target}' volume-id='{a.volume_id}' "
            f"source='{a.source}' provider='luks' plugin='qemu-native-luks' "
            f"plugin-version='1.0.0'><state key='secret-uuid' value='{uuid}'/></disk>"
            "</attachments>"
        )
        self.domain.setMetadata(
            libvirt.VIR_DOMAIN_METADATA_ELEMENT,
            record,
            RECORD_PREFIX,
            RECORD_NAMESPACE,
            libvirt.VIR_DOMAIN_AFFECT_LIVE,
        )
        self.domain.detachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_LIVE)
        deadline = time.monotonic() + 15
        while f"<target dev='{a.target}'" in self.domain.XMLDesc(0):
            if time.monotonic() >= deadline:
                raise RuntimeError("the disk did not leave the domain within 15 s")
            time.sleep(0.02)
        self.domain.setMetadata(
            libvirt.VIR_DOMAIN_METADATA_ELEMENT,
            None,
            RECORD_PREFIX,
            RECORD_NAMESPACE,
            libvirt.VIR_DOMAIN_AFFECT_LIVE,
        )
        secret.undefine()


class VolcryptPair:
    def __init__(self, host, args):
        self.host = host
        self.args = args

    def __call__(self):
        a = self.args
        self.host.attach(
            domain=a.domain,
            target=a.target,
            bus="scsi",
            source=a.source,
            volume_id=a.volume_id,
            provider="luks",
            passphrase_file=a.passphrase_file,
            live=True,
        )
        self.host.detach(domain=a.domain, target=a.target)


def cpu_seconds():
    """This process's CPU and its waited-for children's (the plugin helpers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def block(pair, pairs):
    cpu = cpu_seconds()
    start = time.perf_counter()
    for _ in range(pairs):
        pair()
    seconds = time.perf_counter() - start
    return seconds * 1000 / pairs, (cpu_seconds() - cpu) * 1000 / pairs


def main():
    parser = argparse.ArgumentParser()
    for name in ("domain", "target", "source", "volume-id", "passphrase-file"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--blocks", type=int, default=7)
    parser.add_argument("--pairs", type=int, default=4)
    args = parser.parse_args()
    with open(args.passphrase_file, "rb") as f:
        passphrase = f.read()

    connection = libvirt.open("qemu:///system")
    with volcrypt.Host("qemu:///system") as host:
        a, b = VolcryptPair(host, args), BarePair(connection, args, passphrase)
        a()  # warm-ups, and a check that both work
        b()
        round_ratios = []
        for number in range(1, args.rounds + 1):
            ratios, a_ms, b_ms, a_cpu, b_cpu = [], [], [], [], []
            load_before = os.getloadavg()[0]
            for index in range(args.blocks):
                if index % 2 == 0:
                    first = block(a, args.pairs)
                    second = block(b, args.pairs)
                else:
                    second = block(b, args.pairs)
                    first = block(a, args.pairs)
                ratios.append(first[0] / second[0])
                a_ms.append(first[0])
                b_ms.append(second[0])
                a_cpu.append(first[1])
                b_cpu.append(second[1])
            ratio = statistics.median(ratios)
            round_ratios.append(ratio)
            print(
                f"Python round {number}: volcrypt.Host pair {statistics.median(a_ms):.1f} ms, "
                f"python-libvirt pair {statistics.median(b_ms):.1f} ms (medians); CPU per "
                f"pair {statistics.median(a_cpu):.1f} / {statistics.median(b_cpu):.1f} ms; "
                f"ratio {ratio:.3f} (median of {args.blocks} blocks of {args.pairs} pairs); "
                f"load {load_before:.1f} to {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    connection.close()
    print(
        "volcrypt.Host pair / python-libvirt pair time ratio: "
        f"{statistics.median(round_ratios):.3f} (median of {args.rounds} interleaved rounds; "
        "goal <= 1.05)"
    )


if __name__ == "__main__":
    main()
