//! A server certificate's problem in words: rustls refuses some
//! certificates OpenSSL takes (an X.509 v1 one, a name in the CN only,
//! `CA:TRUE` on a server's), and the message says which rule they break.

use rustls::CertificateError;
use rustls::pki_types::{ServerName, UnixTime};

/// What is wrong with a server certificate, in words; rustls refuses some
/// certificates OpenSSL takes, and says which rule they break.
pub(super) fn certificate_problem(error: &CertificateError) -> String {
    match error {
        CertificateError::UnknownIssuer => {
            "is not signed by a trusted CA (it does not chain to the CA)".into()
        }
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "is not valid for the name {}: it is for {}",
            show_name(expected),
            if presented.is_empty() {
                "no name at all (rustls reads only the subjectAltName extension, not the CN)"
                    .to_owned()
            } else {
                presented
                    .iter()
                    .map(|p| presented_name(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        CertificateError::NotValidForName => "is not valid for the name checked".into(),
        CertificateError::ExpiredContext { time, not_after } => format!(
            "expired at {} (it is now {})",
            show_time(*not_after),
            show_time(*time)
        ),
        CertificateError::NotValidYetContext { time, not_before } => format!(
            "is not valid before {} (it is now {}; is the clock right?)",
            show_time(*not_before),
            show_time(*time)
        ),
        CertificateError::InvalidPurposeContext { .. } | CertificateError::InvalidPurpose => {
            "is not for a TLS server (its extendedKeyUsage lacks serverAuth)".into()
        }
        CertificateError::Other(other) => {
            let text = other.to_string();
            if text.contains("UnsupportedCertVersion") {
                "is an X.509 version 1 certificate, which rustls refuses: issue a version 3 one (openssl x509 -req with -extfile and a subjectAltName)".into()
            } else if text.contains("CaUsedAsEndEntity") {
                "is a CA certificate (basicConstraints CA:TRUE), which rustls refuses as a server's: issue one with CA:FALSE".into()
            } else {
                format!("is refused: {text}")
            }
        }
        other => format!("is refused: {other}"),
    }
}

/// A name a certificate presents, as rustls writes it (`DnsName("ns1")`,
/// `IpAddress(0::1)`), shown plainly.
fn presented_name(text: &str) -> String {
    if let Some(dns) = text
        .strip_prefix("DnsName(\"")
        .and_then(|t| t.strip_suffix("\")"))
    {
        return dns.to_owned();
    }
    if let Some(ip) = text
        .strip_prefix("IpAddress(")
        .and_then(|t| t.strip_suffix(')'))
    {
        return ip
            .parse::<std::net::IpAddr>()
            .map_or_else(|_| ip.to_owned(), |ip| ip.to_string());
    }
    text.to_owned()
}

/// A server name as a message shows it.
fn show_name(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_owned(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// A certificate time, in UTC.
fn show_time(time: UnixTime) -> String {
    i64::try_from(time.as_secs())
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map_or_else(|| time.as_secs().to_string(), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presented_names_are_shown_plainly() {
        assert_eq!(
            presented_name("DnsName(\"ns1.example.test\")"),
            "ns1.example.test"
        );
        assert_eq!(presented_name("IpAddress(0::1)"), "::1");
        assert_eq!(presented_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(presented_name("Other"), "Other");
    }
}
