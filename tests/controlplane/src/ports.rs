//! The ports of a control plane's components: free, below the kernel's
//! ephemeral range, and given out once on this machine while the process
//! that took them lives.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::hash::{BuildHasher, RandomState};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::Error;

/// Where ports are chosen: from here up to the ephemeral range.
const LOWEST: u16 = 10_000;

/// The lowest port the kernel hands out on its own (for `bind(:0)` and for
/// every outgoing connection), from `ip_local_port_range`; 32768 when it
/// cannot be read (Linux's default).
fn ephemeral_low() -> u16 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768)
}

/// A free TCP port on 127.0.0.1, below the kernel's ephemeral range (the
/// listener is closed before returning). A port taken with `bind(:0)` is in
/// that range, where every outgoing connection (az's, the tests' HTTP
/// clients) also gets its local port: between its release here and the
/// component's own bind, another process could take it ("address already in
/// use"). Below the range a port is only ever taken by an explicit bind.
///
/// Chosen at random, and claimed for as long as this process lives (see
/// [`claim`]): the control planes of other test binaries choose in the same
/// range, and a port one has chosen stays unbound for seconds, until its
/// component starts, which is long enough for another to find it free.
pub fn free_port() -> Result<u16, Error> {
    static GIVEN: Mutex<BTreeMap<u16, Option<File>>> = Mutex::new(BTreeMap::new());
    let high = ephemeral_low().max(LOWEST + 1000);
    let span = u64::from(high - LOWEST);
    let seed = RandomState::new();
    let picks = (0..1000u64).map(|attempt| {
        let pick = seed.hash_one((std::process::id(), attempt)) % span;
        LOWEST + u16::try_from(pick).unwrap_or(0)
    });
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    first_free(picks, &mut given).ok_or_else(|| {
        Error::io(
            "binding",
            format!("127.0.0.1:{LOWEST}-{high}"),
            std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                "no free port below the ephemeral range",
            ),
        )
    })
}

/// The first of `candidates` that this process has not given out, no other
/// process has claimed, and nothing listens on; claimed and recorded in
/// `given` (with its claim, which lasts as long as the entry).
fn first_free(
    candidates: impl IntoIterator<Item = u16>,
    given: &mut BTreeMap<u16, Option<File>>,
) -> Option<u16> {
    for port in candidates {
        if given.contains_key(&port) {
            continue;
        }
        let held = match claim(port) {
            Claim::Held(file) => Some(file),
            Claim::Taken => continue,
            // No folder for claims: the bind below is the only check.
            Claim::Unavailable => None,
        };
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            given.insert(port, held);
            return Some(port);
        }
    }
    None
}

/// A port's claim on this machine.
#[derive(Debug)]
enum Claim {
    /// This process holds it: the lock lasts as long as the file is open,
    /// and ends with the process however it ends (SIGKILL too).
    Held(File),
    /// Another process holds it.
    Taken,
    /// Claims cannot be made here (the folder cannot be written).
    Unavailable,
}

/// The folder of the claims: a file per port, locked (`flock`) by the
/// process that chose that port.
fn claims_dir() -> PathBuf {
    std::env::temp_dir().join("xtenant-controlplane-ports")
}

fn claim(port: u16) -> Claim {
    let dir = claims_dir();
    if std::fs::create_dir_all(&dir).is_err() {
        return Claim::Unavailable;
    }
    let Ok(file) = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(port.to_string()))
    else {
        return Claim::Unavailable;
    };
    match file.try_lock() {
        Ok(()) => Claim::Held(file),
        Err(TryLockError::WouldBlock) => Claim::Taken,
        Err(TryLockError::Error(_)) => Claim::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_free_distinct_and_below_the_ephemeral_range() {
        let low = ephemeral_low();
        // Each port is bound as soon as it is given (and kept): other test
        // binaries bind ports of their own meanwhile, so one given minutes
        // (or fifty ports) earlier may be taken by then, not by a fault here.
        let mut held = Vec::new();
        let ports: Vec<u16> = (0..50)
            .map(|_| {
                let p = free_port().unwrap();
                held.push(TcpListener::bind(("127.0.0.1", p)).expect("free when given"));
                p
            })
            .collect();
        let distinct: std::collections::BTreeSet<_> = ports.iter().collect();
        assert_eq!(distinct.len(), ports.len(), "{ports:?}");
        for p in &ports {
            assert!((LOWEST..low).contains(p), "{p} is not below {low}");
        }
    }

    /// The first port from `from` up that nothing listens on, with a claim
    /// on it held by the returned file.
    fn held_claim(from: u16) -> (u16, File) {
        (from..from + 1000)
            .find_map(|p| match claim(p) {
                Claim::Held(file) if TcpListener::bind(("127.0.0.1", p)).is_ok() => Some((p, file)),
                _ => None,
            })
            .expect("an unclaimed, unbound port")
    }

    /// A claim is a lock on an open file: a second claim (another open file,
    /// as another process would have) is refused until the first is closed.
    #[test]
    fn a_claimed_port_is_refused_until_its_claim_ends() {
        let port = free_port().unwrap();
        // free_port keeps its own claim: another one is refused.
        assert!(matches!(claim(port), Claim::Taken), "claim of {port}");
        let (other, first) = held_claim(LOWEST);
        assert!(
            matches!(claim(other), Claim::Taken),
            "second claim of {other}"
        );
        drop(first);
        assert!(
            matches!(claim(other), Claim::Held(_)),
            "claim of {other} after the first ended"
        );
    }

    /// A port another process has claimed is passed over though nothing
    /// listens on it yet. Another open file stands for the other process:
    /// `flock` locks belong to the open file, not to the process.
    #[test]
    fn a_port_claimed_elsewhere_is_passed_over() {
        let (theirs, their_claim) = held_claim(LOWEST + 2000);
        // Unclaimed again at once: first_free is to claim it.
        let (ours, _) = held_claim(theirs + 1);
        let mut given = BTreeMap::new();
        assert_eq!(first_free([theirs, ours], &mut given), Some(ours));
        assert!(given.contains_key(&ours) && !given.contains_key(&theirs));
        drop(their_claim);
        assert_eq!(first_free([theirs], &mut given), Some(theirs));
    }
}
