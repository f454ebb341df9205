"""volcrypt.Host against the real daemon: attach and detach in a loop on one Host,
errors with the program's exit codes, keys wiped, the Cinder JSON shape, threads."""

import json
import subprocess
import threading

import pytest

import volcrypt
from conftest import secrets_of, unique


def attach_args(domain, target, source, volume_id):
    return dict(domain=domain.name, target=target, bus="scsi", source=source,
                volume_id=volume_id, provider="luks", live=True)


def test_a_kept_host_attaches_and_detaches_ten_volumes_in_a_loop(
        host, domain, luks_volume, passphrase, volume_ids, connection, log_lines):
    text, key_file = passphrase
    for i in range(10):
        volume = luks_volume("v%d.luks" % i, 0x40 + i)
        volume_id = unique("vol")
        volume_ids.append(volume_id)
        attached = host.attach(**attach_args(domain, "sdb", volume, volume_id),
                               passphrase_file=key_file)
        assert attached["record"]["plugin"] == "qemu-native-luks"
        assert attached["domain"] == domain.name
        assert len(secrets_of(connection, volume_id)) == 1
        assert domain.reads_pattern("sdb", 0x40 + i)
        assert not domain.reads_pattern("sdb", 0x99)  # the check bites

        detached = host.detach(domain=domain.name, target="sdb", live=True)
        assert detached["target"] == "sdb"
        assert secrets_of(connection, volume_id) == []
        assert volume not in domain.live_xml()
    assert all(text not in line for line in log_lines)


def test_a_missing_disk_raises_not_found_with_the_programs_exit_code_and_message(
        host, domain, program):
    with pytest.raises(volcrypt.NotFoundError) as raised:
        host.detach(domain=domain.name, target="sdz", live=True)
    cli = subprocess.run([program, "detach", "--domain", domain.name, "--target", "sdz",
                          "--live"], capture_output=True, text=True)
    assert raised.value.exit_code == 3 == cli.returncode
    assert raised.value.kind == "not_found"
    assert "volcrypt: error: %s\n" % raised.value.message == cli.stderr
    assert isinstance(raised.value, volcrypt.VolcryptError)


def test_a_bytearray_key_is_wiped_after_use_and_a_wrong_one_changes_nothing(
        host, domain, luks_volume, passphrase, volume_ids, connection):
    text, _ = passphrase
    volume = luks_volume("v.luks", 0x5a)
    volume_id = unique("vol")
    volume_ids.append(volume_id)
    xml_before = domain.live_xml()

    wrong = bytearray(b"not the passphrase")
    with pytest.raises(volcrypt.WrongKeyError) as raised:
        host.attach(**attach_args(domain, "sdb", volume, volume_id), passphrase=wrong)
    assert raised.value.exit_code == 4
    assert wrong == bytearray(len(wrong))
    assert secrets_of(connection, volume_id) == []
    assert domain.live_xml() == xml_before

    key = bytearray(text.encode())
    host.attach(**attach_args(domain, "sdb", volume, volume_id), passphrase=key)
    assert key == bytearray(len(key))
    assert domain.reads_pattern("sdb", 0x5a)
    host.detach(domain=domain.name, target="sdb", live=True)


def test_a_raw_key_is_used_as_its_lowercase_hex_as_the_program_does(
        host, domain, scratch, luks_volume, volume_ids):
    # A passphrase that is the hex of 32 raw bytes opens the volume given the raw bytes.
    import os
    raw = os.urandom(32)
    hex_file = os.path.join(scratch, "hex")
    with open(os.open(hex_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(raw.hex())
    volume = os.path.join(scratch, "raw.luks")
    with open(volume, "wb") as f:
        f.truncate(8 << 20)
    subprocess.run(["cryptsetup", "luksFormat", "--batch-mode", "--type", "luks1",
                    "--pbkdf-force-iterations", "1000", "--key-file", hex_file, volume],
                   check=True, capture_output=True)
    volume_id = unique("vol")
    volume_ids.append(volume_id)
    attached = host.attach(**attach_args(domain, "sdb", volume, volume_id), key=raw)
    assert attached["record"]["plugin"] == "qemu-native-luks"
    host.detach(domain=domain.name, target="sdb", live=True)


def test_the_volume_comes_in_the_shape_nova_hands_to_a_host(
        host, domain, luks_volume, passphrase, volume_ids, connection):
    text, _ = passphrase
    volume = luks_volume("v.luks", 0x3c)
    volume_id = unique("vol")
    volume_ids.append(volume_id)
    shape = {"connection_info": {"serial": volume_id,
                                 "data": {"device_path": volume, "volume_id": volume_id}},
             "encryption": {"provider": "luks", "control_location": "front-end"}}
    probed = host.probe(volume=shape)
    assert probed["chosen"] == "qemu-native-luks"
    host.attach(domain=domain.name, target="sdb", bus="scsi", live=True, volume=shape,
                passphrase=text)
    assert domain.reads_pattern("sdb", 0x3c)
    listed = host.list(domain=domain.name)
    assert [record["volume_id"] for record in listed["records"]] == [volume_id]
    host.detach(domain=domain.name, target="sdb", live=True)
    assert secrets_of(connection, volume_id) == []


def test_what_is_not_an_option_raises_a_usage_error_naming_it(host, domain):
    with pytest.raises(volcrypt.UsageError) as raised:
        host.detach(domain=domain.name, target="sdb", no_such_option=1)
    assert raised.value.exit_code == 2
    assert raised.value.message == \
        "unrecognised option '--no-such-option=1' (see 'volcrypt detach --help')"
    with pytest.raises(volcrypt.UsageError):
        host.call("no-such-command")


def test_a_closed_host_refuses_calls():
    opened = volcrypt.Host()
    opened.close()
    with pytest.raises(ValueError, match="closed"):
        opened.plugins()


def test_threads_sharing_a_host_take_turns(host, domain, luks_volume, passphrase, volume_ids,
                                           connection):
    _, key_file = passphrase
    volumes = [luks_volume("t%d.luks" % i, 0x60 + i) for i in range(2)]
    ids = [unique("vol") for _ in volumes]
    volume_ids.extend(ids)
    failures = []

    def work(i, target):
        for _ in range(3):
            try:
                host.attach(**attach_args(domain, target, volumes[i], ids[i]),
                            passphrase_file=key_file)
                host.detach(domain=domain.name, target=target, live=True)
            except volcrypt.VolcryptError as error:
                failures.append(error)

    threads = [threading.Thread(target=work, args=(i, t)) for i, t in enumerate(["sdb", "sdc"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for volume_id in ids:
        assert secrets_of(connection, volume_id) == []


def test_check_returns_its_findings_and_the_json_the_program_prints(host, domain, program):
    checked = host.check(domain=domain.name)
    cli = subprocess.run([program, "--json", "check", "--domain", domain.name],
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert checked == json.loads(cli.stdout)


def test_rekey_takes_both_keys_in_memory_and_wipes_them(
        host, domain, luks_volume, passphrase, volume_ids, connection):
    text, _ = passphrase
    volume = luks_volume("v.luks", 0x6c)
    volume_id = unique("vol")
    volume_ids.append(volume_id)
    host.attach(**attach_args(domain, "sdb", volume, volume_id), passphrase=text)
    secret = secrets_of(connection, volume_id)

    old = bytearray(text.encode())
    new = bytearray(b"new-" + text.encode())
    rekeyed = host.rekey(domain=domain.name, target="sdb", passphrase=old, new_passphrase=new)
    assert old == bytearray(len(old)) and new == bytearray(len(new))
    assert rekeyed["removed_slots"] == [0] and rekeyed["new_slot"] == 1
    assert rekeyed["secret_uuid"] == secret[0]
    assert domain.reads_pattern("sdb", 0x6c)

    # The old passphrase opens nothing now; the new one attaches the volume again.
    host.detach(domain=domain.name, target="sdb", live=True)
    with pytest.raises(volcrypt.WrongKeyError):
        host.attach(**attach_args(domain, "sdb", volume, volume_id), passphrase=text)
    host.attach(**attach_args(domain, "sdb", volume, volume_id), passphrase="new-" + text)
    assert domain.reads_pattern("sdb", 0x6c)
    host.detach(domain=domain.name, target="sdb", live=True)
