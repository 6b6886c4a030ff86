//! Reads answered once per walk: a walk of a graph asks for the same list
//! many times — every credential of an identity is decided on its list, the
//! budget counts it again, several grants look at one scope's assignments —
//! and az costs a process each time. Behind this runner each distinct read
//! runs once, even when steps ask for it at the same time (the later ones
//! wait for the first). `plan` reads through it, and `apply` goes on with the
//! same answers instead of reading everything again: a write does not empty
//! it; the typed call that wrote amends the answers it changed (a created
//! credential joins its identity's list), and a read that waits for Azure to
//! move asks the runner underneath ([`Runner::fresh`]).
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
        self.inner.write(purpose, argv)
    }

    fn amend(&self, read: &[String], change: &dyn Fn(&mut Value)) {
        let Some(slot) = self.answers().get(read).cloned() else {
            return;
        };
        let mut answer = slot.lock().unwrap_or_else(|e| e.into_inner());
        // Only an answer that was read is amended; an unread one is read later.
        if let Some(known) = answer.as_mut() {
            let mut value = known.take().unwrap_or(Value::Null);
            change(&mut value);
            *known = Some(value);
        }
    }

    fn fresh(&self) -> Option<Arc<dyn Runner>> {
        Some(self.inner.clone())
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
    fn a_write_amends_the_answers_it_changed_and_fresh_reads_ask_again() {
        let counting = Arc::new(Counting::default());
        let c = Cached::new(counting.clone());
        let a = vec!["identity".to_string(), "list".to_string()];
        let b = vec!["group".to_string(), "show".to_string()];
        assert_eq!(c.read("", &a).expect("ok"), Some(Value::from(0)));
        assert_eq!(c.read("", &b).expect("ok"), Some(Value::from(1)));
        c.write("", &b).expect("ok");
        // The write changed nothing it said: both answers stand.
        assert_eq!(c.read("", &a).expect("ok"), Some(Value::from(0)));
        assert_eq!(c.read("", &b).expect("ok"), Some(Value::from(1)));
        c.amend(&a, &|v| *v = Value::from(7));
        assert_eq!(c.read("", &a).expect("ok"), Some(Value::from(7)));
        // An answer not read yet is not made up by an amend.
        let d = vec!["role".to_string()];
        c.amend(&d, &|v| *v = Value::from(9));
        assert_eq!(c.read("", &d).expect("ok"), Some(Value::from(2)));
        let fresh = c.fresh().expect("a cache has a runner underneath");
        assert_eq!(fresh.read("", &a).expect("ok"), Some(Value::from(3)));
        assert_eq!(counting.reads.load(Ordering::SeqCst), 4);
    }
}
