//! Waiting for components: poll a check until it passes, failing early (with the
//! component's log) when the process exits or the deadline passes.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::Error;
use crate::process::Proc;

pub(crate) const POLL: Duration = Duration::from_millis(100);

/// Polls `check` until it returns `Ok(())`, while `proc` keeps running.
///
/// `check` returns `Err(reason)` while not ready; the last reason is reported on timeout.
pub async fn wait_for<F, Fut>(
    proc: &mut Proc,
    what: &str,
    timeout: Duration,
    mut check: F,
) -> Result<Duration, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let started = Instant::now();
    loop {
        if let Some(status) = proc.exited() {
            return Err(not_ready(proc, what, format!("process exited ({status})")));
        }
        let last = match check().await {
            Ok(()) => return Ok(started.elapsed()),
            Err(reason) => reason,
        };
        if started.elapsed() > timeout {
            return Err(not_ready(
                proc,
                what,
                format!("not ready after {timeout:?}; last check: {last}"),
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

pub(crate) fn not_ready(proc: &Proc, what: &str, reason: String) -> Error {
    Error::NotReady {
        component: format!("{} ({what})", proc.name()),
        reason,
        log_path: proc.log_path().to_path_buf(),
        log: proc.log_tail(8000),
    }
}

/// `Ok(())` when `GET url` answers 200.
pub async fn http_ok(client: &reqwest::Client, url: &str) -> Result<(), String> {
    match client.get(url).timeout(Duration::from_secs(2)).send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!(
            "GET {url}: {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        )),
        Err(e) => Err(format!("GET {url}: {e}")),
    }
}

/// An HTTP client trusting `ca_pem` (and, when `insecure`, any certificate:
/// for the controller-manager's and scheduler's self-signed health endpoints).
pub fn http_client(ca_pem: &str, insecure: bool) -> Result<reqwest::Client, Error> {
    crate::kubeconfig::install_crypto_provider();
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes())
        .map_err(|e| Error::Setup(format!("loading the CA certificate: {e}")))?;
    reqwest::Client::builder()
        .add_root_certificate(ca)
        .danger_accept_invalid_certs(insecure)
        .no_proxy()
        .build()
        .map_err(|e| Error::Setup(format!("building an HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[tokio::test]
    async fn an_exited_process_fails_with_its_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Proc::spawn(
            "quitter",
            Path::new("/bin/sh"),
            ["-c", "echo boom; exit 3"],
            &[],
            dir.path(),
        )
        .unwrap();
        let err = wait_for(&mut p, "probe", Duration::from_secs(10), || async {
            Err::<(), _>("never".to_string())
        })
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("process exited"), "{err}");
        assert!(err.contains("boom"), "{err}");
    }

    #[tokio::test]
    async fn a_timeout_names_the_last_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Proc::spawn(
            "sleeper",
            Path::new("/bin/sh"),
            ["-c", "exec sleep 30"],
            &[],
            dir.path(),
        )
        .unwrap();
        let err = wait_for(&mut p, "probe", Duration::from_millis(300), || async {
            Err::<(), _>("still starting".to_string())
        })
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("still starting"), "{err}");
    }
}
