//! `dyndns-send` against a small loopback responder that misbehaves in ways
//! `named` never does: unsigned or forged answers to a signed update, stale
//! signatures, wrong IDs and opcodes, garbage, a connection closed mid-answer.
//! The update names its zone and server, so nothing is resolved.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;

use hickory_proto::op::{Message, MessageType, OpCode};
use hickory_proto::rr::rdata::tsig::{TSIG, TsigAlgorithm, make_tsig_record, message_tbs};
use hmac::{Hmac, KeyInit, Mac};

use crate::common::run;

const SECRET_B64: &str = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";
const SECRET: &[u8] = b"secretsecretsecretsecret";
const STATE: &str = r#"{"hostname":"h.example.test.","ttl":300,"addresses":["2001:db8::1"]}"#;
const OLD_CACHE: &str =
    "{\"hostname\":\"h.example.test.\",\"ttl\":300,\"addresses\":[\"2001:db8::99\"]}\n";

/// Serves one connection on 127.0.0.1: reads one framed request and writes
/// whatever `answer` makes of it (framing included), then closes.
fn responder(
    answer: impl FnOnce(&[u8]) -> Vec<u8> + Send + 'static,
) -> (u16, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut len = [0u8; 2];
        conn.read_exact(&mut len).unwrap();
        let mut request = vec![0u8; usize::from(u16::from_be_bytes(len))];
        conn.read_exact(&mut request).unwrap();
        let _ = conn.write_all(&answer(&request));
    });
    (port, handle)
}

fn framed(message: &[u8]) -> Vec<u8> {
    let mut out = (message.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(message);
    out
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A NOERROR answer to `request`, signed as RFC 8945 §5.3 says when
/// `sign` gives the secret and the time to sign at.
fn answer(request: &[u8], sign: Option<(&[u8], u64)>, mac_override: Option<Vec<u8>>) -> Vec<u8> {
    let req = Message::from_vec(request).unwrap();
    let mut response = Message::new(req.metadata.id, MessageType::Response, OpCode::Update);
    if let Some((secret, time)) = sign {
        let request_mac = req.signature().unwrap().data.mac.clone();
        let key_name = req.signature().unwrap().name.clone();
        let pre = TSIG::new(
            TsigAlgorithm::HmacSha256,
            time,
            300,
            Vec::new(),
            req.metadata.id,
            None,
            Vec::new(),
        );
        let mut tbs = (request_mac.len() as u16).to_be_bytes().to_vec();
        tbs.extend_from_slice(&request_mac);
        tbs.extend(message_tbs(&response, &pre, &key_name).unwrap());
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret).unwrap();
        mac.update(&tbs);
        let mac = mac_override.unwrap_or_else(|| mac.finalize().into_bytes().to_vec());
        response.set_signature(Box::new(make_tsig_record(key_name, pre.set_mac(mac))));
    }
    framed(&response.to_vec().unwrap())
}

/// Runs a signed dyndns-send against the responder; returns the run and
/// the cache's contents afterwards.
fn send_to(port: u16, handle: thread::JoinHandle<()>) -> (crate::common::Run, String) {
    send_with_timeout(port, handle, "5")
}

/// [`send_to`] with a timeout, seconds.
fn send_with_timeout(
    port: u16,
    handle: thread::JoinHandle<()>,
    timeout: &str,
) -> (crate::common::Run, String) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    fs::write(&cache, OLD_CACHE).unwrap();
    let conf = dir.path().join("c.conf");
    fs::write(
        &conf,
        format!(
            r#"{{"ttl": 300, "cache": "{}", "tsig": {{"algorithm": "hmac-sha256", "keyname": "k1", "key": "{SECRET_B64}"}}}}"#,
            cache.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&conf, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let server = format!("127.0.0.1:{port}");
    let c = conf.display().to_string();
    let r = run(
        "dyndns-send",
        &[
            "-c",
            &c,
            "--zone",
            "example.test",
            "--server",
            &server,
            "--timeout",
            timeout,
        ],
        STATE,
    );
    handle.join().unwrap();
    (r, fs::read_to_string(&cache).unwrap())
}

#[track_caller]
fn rejected(answer: impl FnOnce(&[u8]) -> Vec<u8> + Send + 'static, want: &str) {
    let (port, handle) = responder(answer);
    let (r, cache) = send_to(port, handle);
    r.status(1)
        .stdout_is("")
        .stderr_has(&format!("127.0.0.1:{port}: {want}"));
    assert_eq!(cache, OLD_CACHE, "the cache must stay as it was\n{r}");
}

#[test]
fn a_correctly_signed_answer_is_accepted() {
    let (port, handle) = responder(|req| answer(req, Some((SECRET, now())), None));
    let (r, cache) = send_to(port, handle);
    r.ok().quiet();
    assert_eq!(
        crate::common::registration(&cache),
        format!(
            "{{\"hostname\":\"h.example.test.\",\"ttl\":300,\"addresses\":[\"2001:db8::1\"],\"server\":\"127.0.0.1:{port}\"}}\n"
        ),
        "the cache names the server that accepted the update"
    );
}

#[test]
fn unsigned_answer_to_signed_update_is_rejected() {
    rejected(
        |req| answer(req, None, None),
        "the answer is not signed, though the update was",
    );
}

#[test]
fn forged_mac_is_rejected() {
    rejected(
        |req| answer(req, Some((SECRET, now())), Some(vec![0x55; 32])),
        "the answer's TSIG MAC does not verify with key k1.",
    );
    rejected(
        |req| answer(req, Some((b"another secret", now())), None),
        "the answer's TSIG MAC does not verify",
    );
}

#[test]
fn stale_signature_is_rejected() {
    rejected(
        |req| answer(req, Some((SECRET, now() - 3600)), None),
        "the answer was signed at ",
    );
}

#[test]
fn wrong_id_is_rejected() {
    rejected(
        |req| {
            let mut a = answer(req, Some((SECRET, now())), None);
            a[2] ^= 0xff; // the ID, after the 2-byte length
            a
        },
        "bad answer: ID ",
    );
}

#[test]
fn wrong_opcode_is_rejected() {
    rejected(
        |req| {
            let id = Message::from_vec(req).unwrap().metadata.id;
            framed(
                &Message::new(id, MessageType::Response, OpCode::Query)
                    .to_vec()
                    .unwrap(),
            )
        },
        "bad answer: opcode Query, not UPDATE",
    );
}

#[test]
fn garbage_is_rejected() {
    rejected(
        |_| framed(b"\x01\x02garbage"),
        "bad answer: not a DNS message",
    );
}

#[test]
fn connection_closed_mid_answer_is_rejected() {
    rejected(
        |req| {
            let mut a = answer(req, Some((SECRET, now())), None);
            a.truncate(a.len() / 2);
            a
        },
        "bad answer: the server closed the connection before a whole answer came",
    );
    rejected(
        |_| Vec::new(),
        "bad answer: the server closed the connection before a whole answer came",
    );
}

#[test]
fn oversized_garbage_is_rejected() {
    rejected(
        |_| framed(&vec![0xff; 65535]),
        "bad answer: not a DNS message",
    );
}

#[test]
fn a_peer_that_never_answers_times_out() {
    // It holds the connection for a second; the timeout, not the peer, ends the exchange.
    let (port, handle) = responder(|_| {
        thread::sleep(std::time::Duration::from_secs(1));
        Vec::new()
    });
    let (r, cache) = send_with_timeout(port, handle, "0.3");
    r.status(1)
        .stderr_has(&format!("127.0.0.1:{port}: no answer within 300ms"));
    assert_eq!(cache, OLD_CACHE);
}

/// Says NOERROR to an update (TCP) and then, asked (UDP, the same port),
/// serves no record at the name: a server that drops updates quietly.
fn liar() -> (u16, thread::JoinHandle<()>) {
    let (udp, tcp) = loop {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if let Ok(tcp) = TcpListener::bind(("127.0.0.1", port)) {
            break (udp, tcp);
        }
    };
    let port = udp.local_addr().unwrap().port();
    let handle = thread::spawn(move || {
        let (mut conn, _) = tcp.accept().unwrap();
        let mut len = [0u8; 2];
        conn.read_exact(&mut len).unwrap();
        let mut request = vec![0u8; usize::from(u16::from_be_bytes(len))];
        conn.read_exact(&mut request).unwrap();
        conn.write_all(&answer(&request, None, None)).unwrap();
        let mut buf = [0u8; 1500];
        let (n, from) = udp.recv_from(&mut buf).unwrap();
        let query = Message::from_vec(&buf[..n]).unwrap();
        let mut response = Message::new(query.metadata.id, MessageType::Response, OpCode::Query);
        response.metadata.authoritative = true;
        response.add_queries(query.queries.iter().cloned());
        udp.send_to(&response.to_vec().unwrap(), from).unwrap();
    });
    (port, handle)
}

#[test]
fn verify_catches_a_server_that_answers_noerror_and_drops_the_update() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let conf = dir.path().join("c.conf");
    fs::write(
        &conf,
        format!(
            r#"{{"ttl": 300, "cache": "{}", "verify": true}}"#,
            cache.display()
        ),
    )
    .unwrap();
    let (port, handle) = liar();
    let r = run(
        "dyndns-send",
        &[
            "-c",
            &conf.display().to_string(),
            "--zone",
            "example.test",
            "--server",
            &format!("127.0.0.1:{port}"),
        ],
        STATE,
    );
    handle.join().unwrap();
    r.status(1).stdout_is("").stderr_has(&format!(
        "dyndns-send: h.example.test.: 127.0.0.1:{port} answered NOERROR but serves no AAAA record, \
         not the [2001:db8::1] with TTL 300 just sent"
    ));
    assert!(!cache.exists(), "no cache after a failed check");
}
