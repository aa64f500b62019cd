//! Handles as values: cloning, and crossing to another worker inside a task
//! input or a message, as a token.

/// Implements `Clone`, `Serialize` and `Deserialize` for a handle type
/// whose field `raw` is a `sys::$raw`.
macro_rules! handle {
    ($ty:ident, $raw:ident) => {
        $crate::handle::handle!(@impl [] $ty, $raw<>, []);
    };
    ($ty:ident<$t:ident>, $raw:ident, $($bound:tt)+) => {
        $crate::handle::handle!(@impl [$t] $ty<$t>, $raw<$t>, [$($bound)+]);
    };
    (@impl [$($t:ident)?] $ty:ty, $raw:ident<$($rt:ident)?>, [$($bound:tt)*]) => {
        impl<$($t)?> $ty where $($bound)* {
            /// Mints a token for this object, for another worker to
            /// [`open`](Self::open) (once). Handles in task inputs and
            /// messages do this by themselves; use it to hand one over some
            /// other way. The token keeps the object alive until it is
            /// opened or the run ends.
            ///
            /// # Errors
            /// [`Error::Limit`](portalis_threading::Error::Limit) if the run
            /// holds too many unredeemed tokens.
            pub fn share(&self) -> portalis_threading::Result<u64> {
                self.raw.share()
            }

            /// Opens a token minted by [`share`](Self::share).
            ///
            /// # Errors
            /// [`Error::InvalidToken`](portalis_threading::Error::InvalidToken)
            /// for a token that is unknown, already opened, or of another
            /// kind of object.
            pub fn open(token: u64) -> portalis_threading::Result<Self> {
                Ok(Self {
                    raw: $crate::sys::$raw::<$($rt)?>::open(token)?,
                })
            }
        }

        impl<$($t)?> Clone for $ty where $($bound)* {
            /// Another handle to the same object.
            ///
            /// # Panics
            /// If the host refuses another handle (its object limit).
            fn clone(&self) -> Self {
                Self {
                    raw: self
                        .raw
                        .try_clone()
                        .unwrap_or_else(|e| panic!("cannot clone a handle: {e}")),
                }
            }
        }

        impl<$($t)?> ::serde::Serialize for $ty where $($bound)* {
            /// Mints a token for the object; deserializing it on the
            /// receiving worker redeems it.
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let token = self
                    .raw
                    .share()
                    .map_err(<S::Error as ::serde::ser::Error>::custom)?;
                serializer.serialize_u64(token)
            }
        }

        impl<'de, $($t)?> ::serde::Deserialize<'de> for $ty where $($bound)* {
            /// Redeems a token minted by serializing a handle.
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let token = <u64 as ::serde::Deserialize>::deserialize(deserializer)?;
                let raw = $crate::sys::$raw::<$($rt)?>::open(token)
                    .map_err(<D::Error as ::serde::de::Error>::custom)?;
                Ok(Self { raw })
            }
        }
    };
}

pub(crate) use handle;
