//! Turning a caught panic into a message.

use std::any::Any;

/// The message a panic was raised with, or a placeholder for a non-string
/// payload.
pub(crate) fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn messages() {
        let r = std::panic::catch_unwind(|| panic!("plain"));
        assert_eq!(super::message(&*r.unwrap_err()), "plain");
        let r = std::panic::catch_unwind(|| panic!("formatted {}", 7));
        assert_eq!(super::message(&*r.unwrap_err()), "formatted 7");
        let r = std::panic::catch_unwind(|| std::panic::panic_any(42_u8));
        assert_eq!(
            super::message(&*r.unwrap_err()),
            "panic with a non-string payload"
        );
    }
}
