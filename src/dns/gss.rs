//! The host's Kerberos identity through the system's GSS-API (MIT
//! Kerberos, by the `libgssapi` crate): credentials for the client
//! principal, from the keytab or credential cache that `dyndns-send` put
//! in the environment (set by [`crate::dns::gss_env`]), and a context with the
//! primary's `DNS/` service, for [`crate::dns::tkey`]. Built only with the `gss`
//! feature (on by default), and used only by `dyndns-send`.

use hickory_proto::rr::Name;
use libgssapi::context::{ClientCtx, CtxFlags, SecurityContext};
use libgssapi::credential::{Cred, CredUsage};
use libgssapi::name::Name as GssName;
use libgssapi::oid::{GSS_MECH_KRB5, GSS_NT_KRB5_PRINCIPAL, OidSet};

use crate::dns::tkey::{GssContext, GssError, GssInitiator};

/// Starts contexts as the configured principal, or as the host's default
/// one: the machine account `SHORTNAME$` first (what an Active Directory
/// join leaves in the keytab, and the only client principal an AD KDC
/// knows for the host), then `host/FQDN` (an MIT realm's, as SSSD uses).
/// Either is in krb5.conf's `default_realm`, which a join sets.
#[derive(Debug)]
pub struct Initiator {
    principal: Option<String>,
}

impl Initiator {
    /// With the config's `tsig.principal`, if any.
    pub fn new(principal: Option<String>) -> Self {
        Self { principal }
    }
}

impl GssInitiator for Initiator {
    fn start(&self, server: &Name, host: &Name) -> Result<Box<dyn GssContext>, GssError> {
        let candidates = match &self.principal {
            Some(p) => vec![p.clone()],
            None => crate::dns::gss_env::default_principals(host).to_vec(),
        };
        let cred = first_credentials(&candidates)?;
        let client = cred
            .name()
            .map(|n| n.to_string())
            .map_err(|e| gss_error("cannot read the credentials' principal".into(), Some(&e)))?;
        let realm = client.rsplit_once('@').map(|(_, r)| r).unwrap_or_default();
        let service = format!("DNS/{}@{realm}", server.to_ascii().trim_end_matches('.'));
        log::debug!("GSS-TSIG as {client} to {service}");
        let target = GssName::new(service.as_bytes(), Some(GSS_NT_KRB5_PRINCIPAL))
            .map_err(|e| gss_error(format!("cannot name the service {service}"), Some(&e)))?;
        // Mutual authentication (RFC 3645 §3.1.1), integrity, replay and
        // sequence detection; no delegation, which would hand the server
        // a ticket-granting ticket.
        let flags = CtxFlags::GSS_C_MUTUAL_FLAG
            | CtxFlags::GSS_C_REPLAY_FLAG
            | CtxFlags::GSS_C_SEQUENCE_FLAG
            | CtxFlags::GSS_C_INTEG_FLAG;
        let context = ClientCtx::new(Some(cred), target, flags, Some(GSS_MECH_KRB5));
        Ok(Box::new(Context {
            context,
            client,
            service,
        }))
    }
}

/// Credentials for the first of `candidates` that the keytab and the KDC
/// know. Any other failure (no KDC answers, a clock off, an old key) ends
/// the search: another principal would meet it too, after another wait.
/// When none is known, the error names them all.
fn first_credentials(candidates: &[String]) -> Result<Cred, GssError> {
    let mut last = None;
    for principal in candidates {
        match acquire(principal) {
            Ok(cred) => return Ok(cred),
            Err(e) if e.unknown_principal() => {
                log::debug!("no Kerberos credentials for {principal}: {e}");
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    let mut last = last.unwrap_or_else(|| gss_error("no principal to try".into(), None));
    if candidates.len() > 1 {
        last.what = format!(
            "cannot get Kerberos credentials for {}",
            candidates.join(" or ")
        );
    }
    Err(last)
}

impl GssError {
    /// Whether the keytab or the KDC does not know the principal at all
    /// (so another principal may do), rather than refusing it.
    fn unknown_principal(&self) -> bool {
        let has = |needle: &str| self.text.contains(needle);
        has("No key table entry")
            || has("Can't find client principal")
            || (has("not found in Kerberos database") && !has("DNS/"))
            || has("does not match desired name")
    }
}

/// Initiator credentials for `principal` (a Kerberos name; the default
/// realm when it names none), for the krb5 mechanism.
fn acquire(principal: &str) -> Result<Cred, GssError> {
    let what = || format!("cannot get Kerberos credentials for {principal}");
    let name = GssName::new(principal.as_bytes(), Some(GSS_NT_KRB5_PRINCIPAL))
        .map_err(|e| gss_error(what(), Some(&e)))?;
    let mut mechs = OidSet::new();
    mechs
        .add(GSS_MECH_KRB5)
        .map_err(|e| gss_error(what(), Some(&e)))?;
    Cred::acquire(Some(&name), None, CredUsage::Initiate, Some(&mechs))
        .map_err(|e| gss_error(what(), Some(&e)))
}

/// A context being established with one server.
struct Context {
    context: ClientCtx,
    client: String,
    service: String,
}

impl GssContext for Context {
    fn step(&mut self, token: Option<&[u8]>) -> Result<Option<Vec<u8>>, GssError> {
        let what = || format!("cannot authenticate as {} to {}", self.client, self.service);
        match self.context.step(token, None) {
            Ok(next) => Ok(next.map(|b| b.to_vec())),
            Err(e) => Err(gss_error(what(), Some(&e))),
        }
    }

    fn is_complete(&self) -> bool {
        self.context.is_complete()
    }

    fn get_mic(&mut self, data: &[u8]) -> Result<Vec<u8>, GssError> {
        self.context
            .get_mic(data)
            .map(|b| b.to_vec())
            .map_err(|e| gss_error("cannot sign the update (gss_get_mic)".into(), Some(&e)))
    }

    fn verify_mic(&mut self, data: &[u8], mic: &[u8]) -> Result<(), GssError> {
        self.context
            .verify_mic(data, mic)
            .map_err(|e| gss_error("the MIC does not verify (gss_verify_mic)".into(), Some(&e)))
    }
}

/// A [`GssError`] from the library's status, with the fix its words point to.
fn gss_error(what: String, error: Option<&libgssapi::error::Error>) -> GssError {
    let text = error.map_or_else(String::new, |e| e.to_string().trim().to_owned());
    let hint = hint(&text, &what);
    GssError { what, text, hint }
}

/// What fixes the failure MIT's words describe.
fn hint(text: &str, what: &str) -> Option<String> {
    let has = |needle: &str| text.contains(needle);
    Some(if has("Clock skew too great") || has("not yet valid") {
        "this host's clock differs from the KDC's by more than Kerberos allows (5 minutes); fix it with NTP".into()
    } else if has("not found in Kerberos database") && has("DNS/")
        || (has("not found in Kerberos database") && what.contains("authenticate"))
    {
        "the KDC has no such DNS service principal: create DNS/<the zone's SOA MNAME>@REALM and put its key in the server's keytab (BIND: tkey-gssapi-keytab), or check the zone's SOA MNAME".into()
    } else if has("not found in Kerberos database") {
        "the KDC does not know this client principal: check \"principal\" in the config's \"tsig\" object".into()
    } else if has("Cannot contact any KDC") || has("Cannot find KDC") {
        // Before the keytab's case: MIT says "No credentials were supplied"
        // around it too, though the keytab is fine.
        "no KDC answers for the realm: is it running and reachable? check the realm's kdc lines in krb5.conf (or KRB5_CONFIG)"
            .into()
    } else if has("No key table entry")
        || has("Key table file")
        || has("keytab")
        || has("No credentials")
    {
        "the keytab holds no key for this principal: check \"keytab\" and \"principal\" in the config's \"tsig\" object (klist -k KEYTAB lists its keys), or give \"ccache\" with a ticket from kinit".into()
    } else if has("Decrypt integrity check failed") || has("Preauthentication failed") {
        "the keytab's key is not the KDC's (an old key version?): get a new keytab".into()
    } else {
        return None;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_mits_words() {
        let skew = hint("Miscellaneous failure (Clock skew too great)", "x").unwrap();
        assert!(skew.contains("NTP"));
        let service = hint(
            "Unspecified GSS failure (Server DNS/ns1.example.test@EXAMPLE.TEST not found in Kerberos database)",
            "cannot authenticate",
        )
        .unwrap();
        assert!(service.contains("DNS/<the zone's SOA MNAME>"));
        assert!(
            hint("No credentials were supplied", "x")
                .unwrap()
                .contains("keytab")
        );
        let kdc = hint(
            "No credentials were supplied, or the credentials were unavailable or inaccessible (Cannot contact any KDC for realm 'EXAMPLE.TEST')",
            "x",
        )
        .unwrap();
        assert!(kdc.starts_with("no KDC answers for the realm"), "{kdc}");
        assert_eq!(hint("something else", "x"), None);
    }
}
