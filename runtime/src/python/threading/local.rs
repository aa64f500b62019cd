//! `threading.local`: a value per thread, with a subclass's `__init__`
//! re-run in each thread that touches it.
//!
//! Values live in a thread-local table keyed by the `Local`'s id, so they
//! are dropped with their thread (as CPython's are) and never cross
//! threads; ids are never reused.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use crate::loom::sync::atomic::{AtomicU64, Ordering};
use crate::python::builtins::AttributeError;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

type Slot = Rc<RefCell<State>>;

enum State {
    /// Never touched by this thread (runs the initialiser on first use).
    Fresh,
    Value(Box<dyn Any>),
    /// Deleted (`del local.x`), or never set without an initialiser.
    Missing,
}

thread_local! {
    static SLOTS: RefCell<HashMap<u64, Slot>> = RefCell::new(HashMap::new());
}

type Init<T> = Arc<dyn Fn() -> T + Send + Sync>;

/// Python's `threading.local`: each thread sees its own value.
///
/// [`Local::new`] is a plain `local()`: a thread that never
/// [`set`](Self::set) a value gets `AttributeError`.
/// [`Local::with_init`] is a subclass with an `__init__`: the initialiser
/// runs in the creating thread, and again the first time each other thread
/// touches the object, as CPython re-runs `__init__` with the original
/// arguments. A thread's values are dropped when it ends.
///
/// A Python `local` holds any number of attributes; a `Local<T>` holds one
/// `T` (a struct for several).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Local;
/// use std::sync::Arc;
///
/// let data = Arc::new(Local::new());
/// data.set(1); // data.x = 1
/// let d = data.clone();
/// std::thread::spawn(move || {
///     assert!(d.get().is_err()); // AttributeError in another thread
///     d.set(2);
///     assert_eq!(d.get().unwrap(), 2);
/// })
/// .join()
/// .unwrap();
/// assert_eq!(data.get().unwrap(), 1);
/// ```
pub struct Local<T: 'static> {
    id: u64,
    init: Option<Init<T>>,
    _values: PhantomData<fn() -> T>,
}

impl<T: 'static> Local<T> {
    /// `local()`: no value in any thread until set.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Local;
    /// let local: Local<String> = Local::new();
    /// assert!(!local.is_set());
    /// ```
    pub fn new() -> Self {
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            init: None,
            _values: PhantomData,
        }
    }

    /// A `local` subclass whose `__init__` builds the value: `init` runs
    /// now, in this thread, and in each other thread the first time it
    /// touches the object.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Local;
    /// use std::sync::Arc;
    /// // class MyLocal(local):
    /// //     def __init__(self, v): self.v = v
    /// let v = 5;
    /// let local = Arc::new(Local::with_init(move || v));
    /// let l = local.clone();
    /// assert_eq!(std::thread::spawn(move || l.get().unwrap()).join().unwrap(), 5);
    /// ```
    pub fn with_init<F>(init: F) -> Self
    where
        F: Fn() -> T + Send + Sync + 'static,
    {
        let local = Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            init: Some(Arc::new(init)),
            _values: PhantomData,
        };
        local.touch();
        local
    }

    /// This thread's slot, initialised on first touch.
    fn touch(&self) -> Slot {
        let slot = SLOTS.with(|slots| {
            slots
                .borrow_mut()
                .entry(self.id)
                .or_insert_with(|| Rc::new(RefCell::new(State::Fresh)))
                .clone()
        });
        let fresh = matches!(*slot.borrow(), State::Fresh);
        if fresh {
            // Outside any borrow: the initialiser may use other locals.
            let state = match &self.init {
                Some(init) => State::Value(Box::new(init())),
                None => State::Missing,
            };
            *slot.borrow_mut() = state;
        }
        slot
    }

    /// Reading the attribute: this thread's value.
    ///
    /// # Errors
    /// `AttributeError` if this thread has no value.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Local;
    /// let local = Local::new();
    /// local.set(vec![1, 2]);
    /// assert_eq!(local.get().unwrap(), [1, 2]);
    /// ```
    pub fn get(&self) -> Result<T, AttributeError>
    where
        T: Clone,
    {
        self.with(|value| value.clone())
    }

    /// Runs `f` on this thread's value (reading or updating it in place).
    /// `f` must not use this same `Local` (it is borrowed); other locals
    /// are fine.
    ///
    /// # Errors
    /// `AttributeError` if this thread has no value.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Local;
    /// let counter = Local::with_init(|| 0);
    /// counter.with(|c| *c += 1).unwrap(); // counter.n += 1
    /// assert_eq!(counter.get().unwrap(), 1);
    /// ```
    pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, AttributeError> {
        let slot = self.touch();
        let mut state = slot.borrow_mut();
        match &mut *state {
            State::Value(value) => match value.downcast_mut::<T>() {
                Some(value) => Ok(f(value)),
                None => Err(missing()),
            },
            State::Fresh | State::Missing => Err(missing()),
        }
    }

    /// Setting the attribute, for this thread only.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Local;
    /// let local = Local::new();
    /// local.set("x");
    /// assert!(local.is_set());
    /// ```
    pub fn set(&self, value: T) {
        let slot = self.touch();
        *slot.borrow_mut() = State::Value(Box::new(value));
    }

    /// Python's `del local.x`, for this thread.
    ///
    /// # Errors
    /// `AttributeError` if this thread has no value.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Local;
    /// let local = Local::new();
    /// local.set(1);
    /// local.delete().unwrap();
    /// assert!(local.get().is_err());
    /// assert!(local.delete().is_err());
    /// ```
    pub fn delete(&self) -> Result<(), AttributeError> {
        let slot = self.touch();
        let mut state = slot.borrow_mut();
        match std::mem::replace(&mut *state, State::Missing) {
            State::Value(_) => Ok(()),
            State::Fresh | State::Missing => Err(missing()),
        }
    }

    /// Python's `hasattr(local, "x")` for this thread.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Local;
    /// assert!(Local::with_init(|| 1).is_set());
    /// assert!(!Local::<i32>::new().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        matches!(*self.touch().borrow(), State::Value(_))
    }
}

fn missing() -> AttributeError {
    AttributeError::new("'_thread._local' object has no attribute")
}

impl<T: 'static> Default for Local<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> Drop for Local<T> {
    /// Drops this thread's value; other threads' values go when those
    /// threads end.
    fn drop(&mut self) {
        let _ = SLOTS.try_with(|slots| {
            // Dropped after the table's borrow ends: a value's destructor
            // may use other locals.
            let removed = slots.borrow_mut().remove(&self.id);
            drop(removed);
        });
    }
}

impl<T: 'static> fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
