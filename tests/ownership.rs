//! `"ownership"`: a name is the host's by its DHCID record (RFC 4701),
//! claimed and kept with RFC 4703 §5.3's atomic steps, against BIND, Knot
//! and PowerDNS. Two hosts with one name never take each other's records.

use std::process::Command;

use crate::common::{Server, World, require};

const NAME: &str = "host1.example.test";
/// Host A's DUID (a DUID-LLT), and host B's (a DUID-LL).
const DUID_A: &str = "000100012a1b2c3d0c0102030405";
const DUID_B: &str = "00030001020304050607";

const SERVERS: [Server; 3] = [Server::Bind, Server::Knot, Server::PowerDns];

/// The DHCID RDATA of `duid` at `name` in base64, computed here from RFC
/// 4701 §3.3 (identifier type 2, digest type 1, SHA-256 over the DUID and
/// the name in wire form) by Python's hashlib: an independent reckoning.
fn dhcid(duid: &str, name: &str) -> String {
    require("python3", "python3");
    let out = Command::new("python3")
        .args([
            "-c",
            "import base64,hashlib,sys\n\
             wire=b''.join(bytes([len(l)])+l.lower().encode() for l in sys.argv[2].split('.'))+b'\\0'\n\
             print(base64.b64encode(b'\\0\\2\\1'+hashlib.sha256(bytes.fromhex(sys.argv[1])+wire).digest()).decode())",
            duid,
            name,
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A config owning the name with `duid`, its cache `file`.cache, and `extra`.
fn owner(world: &World, file: &str, duid: &str, extra: &str) -> String {
    world.config(
        file,
        &format!(
            r#"{{"ttl": 300, "cache": "{}/{file}.cache", "ownership": {{"mode": "dhcid", "client_id": "{duid}"}}{extra}}}"#,
            world.dir.path().display()
        ),
    )
}

/// A state of `name` with `addrs`, owned by `duid`, as a custom pipeline
/// feeds dyndns-send.
fn owned_state(duid: &str, addrs: &[&str]) -> String {
    let list: Vec<String> = addrs.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        r#"{{"hostname":"{NAME}.","ttl":300,"addresses":[{}],"dhcid":"{}"}}"#,
        list.join(","),
        dhcid(duid, NAME)
    )
}

/// The DHCID records served at `name`, their base64 data joined (dig
/// splits long data into words).
fn dhcids(world: &World, name: &str) -> Vec<String> {
    world
        .records(name, "DHCID")
        .into_iter()
        .map(|r| {
            let (ttl, data) = r.split_once(' ').unwrap();
            format!("{ttl} {}", data.replace(' ', ""))
        })
        .collect()
}

#[test]
fn a_host_claims_its_name_and_another_client_cannot_take_it() {
    for server in SERVERS {
        let world = World::with(NAME, server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        let a = owner(&world, "a.conf", DUID_A, "");
        world.run("pydyndns", &["-c", &a, "veth0"], "").ok().quiet();
        assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::1"], "{server:?}");
        assert_eq!(
            dhcids(&world, NAME),
            [format!("300 {}", dhcid(DUID_A, NAME))],
            "{server:?}"
        );

        // Host B, another client with the same name.
        let b = owner(&world, "b.conf", DUID_B, "");
        let serial = world.serial("example.test");
        world
            .run(
                "dyndns-send",
                &["-c", &b],
                &owned_state(DUID_B, &["2001:db8:10::2"]),
            )
            .status(1)
            .stderr_has(&format!(
                "{NAME}. belongs to another client: its DHCID record at [::1]:53 is not this host's"
            ))
            .stderr_has("nothing was changed, and the cache is as it was")
            .stderr_has("or this host takes it once with dyndns-send --take-over");
        assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::1"], "{server:?}");
        assert_eq!(world.serial("example.test"), serial, "{server:?}");
        assert!(!world.dir.path().join("b.conf.cache").exists());
        // -f forces an update, never a name away from its owner.
        world
            .run("pydyndns", &["-c", &b, "-f", "veth0"], "")
            .status(1)
            .stderr_has(&format!("{NAME}. belongs to another client"));
        assert_eq!(world.serial("example.test"), serial, "{server:?}");
        // Its monitoring check says so.
        world
            .run("pydyndns", &["-c", &b, "--check", "veth0"], "")
            .status(2)
            .stdout_has_lines(&["it belongs to another client (its DHCID is not this host's)"]);

        // Told to, B takes the name over, and says so.
        world
            .run(
                "dyndns-send",
                &["-c", &b, "--take-over"],
                &owned_state(DUID_B, &["2001:db8:10::2"]),
            )
            .ok()
            .stderr_has(&format!(
                "taking {NAME}. over (--take-over): its records and DHCID are replaced whoever owns them"
            ));
        assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::2"], "{server:?}");
        assert_eq!(
            dhcids(&world, NAME),
            [format!("300 {}", dhcid(DUID_B, NAME))],
            "{server:?}"
        );
    }
}

#[test]
fn the_owner_changes_its_set_in_one_update_and_its_last_address_frees_the_name() {
    for server in SERVERS {
        let world = World::with(NAME, server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        let a = owner(&world, "a.conf", DUID_A, "");
        world.run("pydyndns", &["-c", &a, "veth0"], "").ok();
        // An address more: one update lands (the claim is refused, the
        // keep applies), and the name stays A's.
        world.add_address(&["2001:db8:10::3/64", "nodad"]);
        let serial = world.serial("example.test");
        world.run("pydyndns", &["-c", &a, "veth0"], "").ok();
        assert_eq!(world.serial("example.test"), serial + 1, "{server:?}");
        assert_eq!(
            world.aaaa(NAME),
            ["300 2001:db8:10::1", "300 2001:db8:10::3"],
            "{server:?}"
        );
        assert_eq!(dhcids(&world, NAME).len(), 1, "{server:?}");

        // Its last address goes ("empty": "delete"): the records and the
        // DHCID go with it.
        world.del_address("2001:db8:10::1/64");
        world.del_address("2001:db8:10::3/64");
        world.run("pydyndns", &["-c", &a, "veth0"], "").ok();
        assert!(world.aaaa(NAME).is_empty(), "{server:?}");
        assert!(dhcids(&world, NAME).is_empty(), "{server:?}");

        // The name is free: B registers it without --take-over.
        let b = owner(&world, "b.conf", DUID_B, "");
        world
            .run(
                "dyndns-send",
                &["-c", &b],
                &owned_state(DUID_B, &["2001:db8:10::2"]),
            )
            .ok();
        assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::2"], "{server:?}");
    }
}

#[test]
fn records_no_client_owns_are_not_taken() {
    for server in SERVERS {
        let world = World::with(NAME, server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        // An administrator's static record.
        world.nsupdate(&format!("update add {NAME}. 300 AAAA 2001:db8:10::99"));
        let a = owner(&world, "a.conf", DUID_A, "");
        world
            .run("pydyndns", &["-c", &a, "veth0"], "")
            .status(1)
            .stderr_has(&format!(
                "{NAME}. holds records that no client owns: there is no DHCID record at [::1]:53"
            ))
            .stderr_has(&format!(
                "an administrator deletes those records (nsupdate: update delete {NAME}.)"
            ));
        assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::99"], "{server:?}");
        assert!(dhcids(&world, NAME).is_empty(), "{server:?}");
    }
}

/// `--dry-run` prints both steps, with their prerequisites, as nsupdate
/// syntax; nsupdate runs the script and lands the records.
#[test]
fn the_dry_run_prints_the_prerequisites_of_both_steps() {
    let world = World::new(NAME);
    let a = owner(&world, "a.conf", DUID_A, "");
    let d = dhcid(DUID_A, NAME);
    let script = world.run(
        "dyndns-send",
        &[
            "-c",
            &a,
            "--zone",
            "example.test",
            "--server",
            "::1",
            "--dry-run",
        ],
        &owned_state(DUID_A, &["2001:db8:10::1"]),
    );
    script.ok().stdout_is(&format!(
        "server ::1 53\nzone example.test.\nprereq nxdomain {NAME}.\n\
         update add {NAME}. 300 IN AAAA 2001:db8:10::1\nupdate add {NAME}. 300 IN DHCID {d}\nsend\n\
         ; if the name is in use (YXDOMAIN), the records are replaced while its DHCID is this host's (RFC 4703 §5.3.2):\n\
         server ::1 53\nzone example.test.\nprereq yxrrset {NAME}. IN DHCID {d}\nupdate delete {NAME}.\n\
         update add {NAME}. 300 IN AAAA 2001:db8:10::1\nupdate add {NAME}. 300 IN DHCID {d}\nsend"
    ));
    // As JSON: one object per step, each naming its step and the DHCID.
    let json = world.run(
        "dyndns-send",
        &[
            "-c",
            &a,
            "--zone",
            "example.test",
            "--server",
            "::1",
            "--dry-run",
            "--format",
            "json",
        ],
        &owned_state(DUID_A, &["2001:db8:10::1"]),
    );
    json.ok();
    let steps: Vec<&str> = json.stdout.lines().collect();
    assert_eq!(steps.len(), 2, "{json}");
    assert!(
        steps[0].contains(&format!(r#""owner":{{"step":"claim","dhcid":"{d}"}}"#)),
        "{json}"
    );
    assert!(steps[1].contains(r#""owner":{"step":"keep""#), "{json}");
    world.nsupdate(&script.stdout.replace("server ::1 53\n", ""));
    assert_eq!(world.aaaa(NAME), ["300 2001:db8:10::1"]);
    assert_eq!(dhcids(&world, NAME), [format!("300 {d}")]);
}

/// The reverse name of an IPv6 address (RFC 3596 §2.5).
fn reverse(addr: &str) -> String {
    let a: std::net::Ipv6Addr = addr.parse().unwrap();
    let hex: String = a.octets().iter().map(|o| format!("{o:02x}")).collect();
    let nibbles: Vec<String> = hex.chars().rev().map(String::from).collect();
    format!("{}.ip6.arpa", nibbles.join("."))
}

/// With `"ptr"`, each reverse name is owned the same way: the DHCID of the
/// host's name beside its PTR; another host with the same address (the
/// address moved on) does not take it; the owner's gone address takes its
/// PTR and DHCID with it.
#[test]
fn each_reverse_name_is_owned_as_the_forward_name_is() {
    for server in SERVERS {
        let world = World::with(NAME, server);
        world.add_address(&["2001:db8:10::1/64", "nodad"]);
        let a = owner(&world, "a.conf", DUID_A, r#", "ptr": true"#);
        world.run("pydyndns", &["-c", &a, "veth0"], "").ok();
        let rev = reverse("2001:db8:10::1");
        assert_eq!(
            world.records(&rev, "PTR"),
            [format!("300 {NAME}.")],
            "{server:?}"
        );
        assert_eq!(
            dhcids(&world, &rev),
            [format!("300 {}", dhcid(DUID_A, NAME))],
            "{server:?}"
        );

        // Host B, host2, now holds the same address.
        let b = owner(&world, "b.conf", DUID_B, r#", "ptr": true"#);
        let addrs = crate::common::bin("dyndns-addrs");
        let send = crate::common::bin("dyndns-send");
        world
            .run_shell(&format!(
                "{} -c {b} --hostname host2.example.test veth0 | {} -c {b}",
                addrs.display(),
                send.display()
            ))
            .status(1)
            .stderr_has(&format!(
                "{rev}. belongs to another client: its DHCID record at [::1]:53 is not this host's"
            ));
        assert_eq!(world.aaaa("host2.example.test"), ["300 2001:db8:10::1"]);
        assert_eq!(
            world.records(&rev, "PTR"),
            [format!("300 {NAME}.")],
            "{server:?}"
        );

        // A's address goes, another comes: the old PTR and its DHCID go.
        world.add_address(&["2001:db8:10::5/64", "nodad"]);
        world.del_address("2001:db8:10::1/64");
        world.run("pydyndns", &["-c", &a, "veth0"], "").ok();
        assert!(world.records(&rev, "PTR").is_empty(), "{server:?}");
        assert!(dhcids(&world, &rev).is_empty(), "{server:?}");
        assert_eq!(
            world.records(&reverse("2001:db8:10::5"), "PTR"),
            [format!("300 {NAME}.")],
            "{server:?}"
        );
    }
}

/// Without `client_id`, the owner is the DUID-UUID (RFC 6355) of the
/// machine ID; a machine ID that is not one is named, and nothing is sent.
#[test]
fn without_a_client_id_the_machine_id_makes_the_duid() {
    let world = World::new(NAME);
    world.add_address(&["2001:db8:10::1/64", "nodad"]);
    let machine_id = "5f0c2a8e9b7d4c3e8a1f0b2c3d4e5f60";
    world.etc_file("machine-id", &format!("{machine_id}\n"));
    let conf = world.config(
        "m.conf",
        &format!(
            r#"{{"ttl": 300, "cache": "{}/m.cache", "ownership": {{"mode": "dhcid"}}}}"#,
            world.dir.path().display()
        ),
    );
    world.run("pydyndns", &["-c", &conf, "veth0"], "").ok();
    assert_eq!(
        dhcids(&world, NAME),
        [format!("300 {}", dhcid(&format!("0004{machine_id}"), NAME))]
    );
    world.etc_file("machine-id", "uninitialized\n");
    world
        .run("pydyndns", &["-c", &conf, "-f", "veth0"], "")
        .status(2)
        .stderr_has("\"ownership\" gives no \"client_id\", and the machine ID that would make one cannot be read from /etc/machine-id: it does not hold 32 hexadecimal digits; give \"client_id\"");
}
