"""An agent killed with SIGKILL in the middle of a volcrypt call (its own process, the
library inside it) leaves what `recover` settles, as a killed `volcrypt` process does."""

import os
import random
import signal
import subprocess
import sys
import time

from conftest import secrets_of, unique

AGENT = r"""
import sys, volcrypt
domain, volume, volume_id, key_file = sys.argv[1:5]
with volcrypt.Host() as host:
    print("ready", flush=True)
    while True:
        host.attach(domain=domain, target="sdb", bus="scsi", source=volume,
                    volume_id=volume_id, provider="luks", passphrase_file=key_file, live=True)
        host.detach(domain=domain, target="sdb", live=True)
"""


def test_an_agent_killed_mid_call_leaves_what_recover_settles(
        host, domain, luks_volume, passphrase, volume_ids, connection):
    _, key_file = passphrase
    volume = luks_volume("v.luks", 0x7e)
    volume_id = unique("vol")
    volume_ids.append(volume_id)
    seed = int(os.environ.get("VOLCRYPT_KILL_SEED", random.randrange(1 << 30)))
    chooser = random.Random(seed)
    print("VOLCRYPT_KILL_SEED=%d" % seed)
    for round in range(5):
        agent = subprocess.Popen([sys.executable, "-c", AGENT, domain.name, volume, volume_id,
                                  key_file], stdout=subprocess.PIPE, text=True)
        assert agent.stdout.readline().strip() == "ready"
        time.sleep(chooser.uniform(0.0, 1.5))
        agent.send_signal(signal.SIGKILL)
        agent.wait()
        agent.stdout.close()

        recovered = host.recover(domain=domain.name)
        assert recovered["clean"], (round, recovered)
        checked = host.check(domain=domain.name)
        assert checked["clean"], (round, checked)
        # The volume is attached with its one secret, or detached with none.
        attached = volume in domain.live_xml()
        assert len(secrets_of(connection, volume_id)) == (1 if attached else 0), round
        if attached:
            assert domain.reads_pattern("sdb", 0x7e)
            host.detach(domain=domain.name, target="sdb", live=True)
        assert secrets_of(connection, volume_id) == []

    host.attach(domain=domain.name, target="sdb", bus="scsi", source=volume,
                volume_id=volume_id, provider="luks", passphrase_file=key_file, live=True)
    assert domain.reads_pattern("sdb", 0x7e)
    host.detach(domain=domain.name, target="sdb", live=True)
