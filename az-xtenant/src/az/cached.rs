//! Reads answered once per walk: a read-only walk of a graph (`plan`)
//! asks for the same list many times — every credential step of an
//! identity lists its credentials, the budget lists them again — and az
//! costs a process each time. Behind this runner each distinct read runs
//! once, even when steps ask for it at the same time (the later ones wait
//! for the first); any write empties the cache. Only read-only walks use it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::{AzError, Runner};

/// One read's answer, filled by the first asker while the others wait.
type Slot = Arc<Mutex<Option<Option<Value>>>>;

/// Remembers each read's answer until the next write.
pub struct Cached {
    inner: Arc<dyn Runner>,
    answers: Mutex<HashMap<Vec<String>, Slot>>,
}

impl Cached {
    pub fn new(inner: Arc<dyn Runner>) -> Self {
        Self {
            inner,
            answers: Mutex::new(HashMap::new()),
        }
    }

    fn answers(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<String>, Slot>> {
        self.answers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Runner for Cached {
    fn read(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        let slot = Arc::clone(self.answers().entry(argv.to_vec()).or_default());
        // Held while the first asker reads: the others wait for its answer.
        let mut answer = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = answer.as_ref() {
            return Ok(known.clone());
        }
        // A failed read is not remembered: the next asker tries again.
        let fresh = self.inner.read(purpose, argv)?;
        *answer = Some(fresh.clone());
        Ok(fresh)
    }

    fn write(&self, purpose: &str, argv: &[String]) -> Result<Option<Value>, AzError> {
        self.answers().clear();
        self.inner.write(purpose, argv)
    }

    fn interactive(&self, argv: &[String]) -> Result<(), AzError> {
        self.inner.interactive(argv)
    }

    fn dry_run(&self) -> bool {
        self.inner.dry_run()
    }

    fn assumed(&self) -> bool {
        self.inner.assumed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Answers each read that reaches it with how many came before, after
    /// an optional pause.
    #[derive(Default)]
    struct Counting {
        reads: AtomicUsize,
        pause: std::time::Duration,
    }

    impl Runner for Counting {
        fn read(&self, _: &str, _: &[String]) -> Result<Option<Value>, AzError> {
            std::thread::sleep(self.pause);
            Ok(Some(Value::from(self.reads.fetch_add(1, Ordering::SeqCst))))
        }
        fn write(&self, _: &str, _: &[String]) -> Result<Option<Value>, AzError> {
            Ok(None)
        }
        fn interactive(&self, _: &[String]) -> Result<(), AzError> {
            Ok(())
        }
        fn dry_run(&self) -> bool {
            false
        }
    }

    #[test]
    fn reads_asked_at_the_same_time_run_once() {
        let slow = Arc::new(Counting {
            pause: std::time::Duration::from_millis(100),
            ..Counting::default()
        });
        let c = Cached::new(slow.clone());
        let a = vec![
            "role".to_string(),
            "assignment".to_string(),
            "list".to_string(),
        ];
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| assert_eq!(c.read("", &a).expect("ok"), Some(Value::from(0))));
            }
        });
        assert_eq!(slow.reads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_read_runs_once_until_a_write() {
        let c = Cached::new(Arc::new(Counting::default()));
        let a = vec!["identity".to_string(), "show".to_string()];
        let b = vec!["group".to_string(), "show".to_string()];
        assert_eq!(c.read("", &a).expect("ok"), Some(Value::from(0)));
        assert_eq!(c.read("", &a).expect("ok"), Some(Value::from(0)));
        assert_eq!(c.read("", &b).expect("ok"), Some(Value::from(1)));
        c.write("", &b).expect("ok");
        assert_eq!(c.read("", &a).expect("ok"), Some(Value::from(2)));
    }
}
