//! [`TypedPort`]: serde values over `postMessage`, for peers that do not
//! share this program's memory (a plain JS worker, another wasm instance,
//! a component run by the JS shim).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use portalis_threading::Codec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, MessagePort, Worker};

use crate::{Error, Result};

#[wasm_bindgen(inline_js = r#"
export function portalis_sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
"#)]
extern "C" {
    fn portalis_sleep(ms: f64) -> Promise;
}

enum Endpoint {
    Port(MessagePort),
    Worker(Worker),
    Scope(DedicatedWorkerGlobalScope),
}

impl Endpoint {
    fn post(&self, data: &JsValue, transfer: &JsValue) -> std::result::Result<(), JsValue> {
        match self {
            Endpoint::Port(p) => p.post_message_with_transferable(data, transfer),
            Endpoint::Worker(w) => w.post_message_with_transfer(data, transfer),
            Endpoint::Scope(s) => s.post_message_with_transfer(data, transfer),
        }
    }

    fn set_onmessage(&self, f: Option<&js_sys::Function>) {
        match self {
            Endpoint::Port(p) => p.set_onmessage(f),
            Endpoint::Worker(w) => w.set_onmessage(f),
            Endpoint::Scope(s) => s.set_onmessage(f),
        }
    }
}

#[derive(Default)]
struct Inbox {
    queue: VecDeque<JsValue>,
    waker: Option<Waker>,
}

/// A typed, two-way message endpoint over `postMessage`.
///
/// Each value is encoded with the runtime crate's [`Codec`] (postcard, the
/// format every part of portalis-threading uses for payloads), copied into a
/// fresh (not shared) `ArrayBuffer` and transferred, so the receiver needs no
/// shared memory and may be written in another language. Values arrive in
/// order; receiving never blocks the thread (it is a Future), so it works on
/// the page's main thread.
///
/// # Examples
/// ```ignore
/// let channel = web_sys::MessageChannel::new()?;
/// let a = TypedPort::<(u32, String)>::from_port(channel.port1());
/// let b = TypedPort::<(u32, String)>::from_port(channel.port2());
/// a.send(&(7, "seven".into()))?;
/// assert_eq!(b.recv().await?, (7, "seven".into()));
/// ```
pub struct TypedPort<T> {
    endpoint: Endpoint,
    inbox: Rc<RefCell<Inbox>>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    codec: Codec,
    _type: PhantomData<fn(T) -> T>,
}

impl<T> fmt::Debug for TypedPort<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedPort")
            .field("queued", &self.inbox.borrow().queue.len())
            .field("codec", &self.codec)
            .finish()
    }
}

impl<T: Serialize + DeserializeOwned> TypedPort<T> {
    /// A port over a `MessagePort` (e.g. one end of a `MessageChannel`);
    /// starts the port.
    pub fn from_port(port: MessagePort) -> Self {
        Self::new(Endpoint::Port(port))
    }

    /// A port talking to a `Worker` from the thread that created it.
    pub fn from_worker(worker: Worker) -> Self {
        Self::new(Endpoint::Worker(worker))
    }

    /// A port talking to this worker's creator, from inside the worker.
    pub fn from_worker_scope(scope: DedicatedWorkerGlobalScope) -> Self {
        Self::new(Endpoint::Scope(scope))
    }

    /// Replaces the codec (e.g. for another size limit).
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    fn new(endpoint: Endpoint) -> Self {
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let sink = inbox.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let mut inbox = sink.borrow_mut();
            inbox.queue.push_back(e.data());
            if let Some(w) = inbox.waker.take() {
                w.wake();
            }
        });
        endpoint.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        Self {
            endpoint,
            inbox,
            _onmessage: onmessage,
            codec: Codec::new(),
            _type: PhantomData,
        }
    }

    /// Encodes `value` and posts it. Never blocks.
    ///
    /// # Errors
    /// [`Error::Limit`] or [`Error::Codec`] from the codec;
    /// [`Error::Unsupported`] if `postMessage` throws.
    pub fn send(&self, value: &T) -> Result<()> {
        let bytes = self.codec.encode(value)?;
        // `from` copies into a new, non-shared ArrayBuffer.
        let data = Uint8Array::from(bytes.as_slice());
        let transfer = Array::of1(&data.buffer());
        self.endpoint
            .post(&data, &transfer)
            .map_err(|e| Error::Unsupported(format!("postMessage failed: {e:?}")))
    }

    /// Waits for the next value and decodes it.
    ///
    /// # Errors
    /// [`Error::Codec`] if the message is not bytes or not one valid `T`
    /// (the message is consumed).
    pub async fn recv(&self) -> Result<T> {
        let data = Recv { inbox: &self.inbox }.await;
        self.decode(&data)
    }

    /// Like [`recv`](Self::recv), giving up after `timeout` with
    /// [`Error::Timeout`].
    ///
    /// # Errors
    /// As [`recv`](Self::recv).
    pub async fn recv_timeout(&self, timeout: Duration) -> Result<T> {
        let deadline = crate::wait::deadline(Some(timeout)).unwrap_or(f64::MAX);
        loop {
            if let Some(data) = self.inbox.borrow_mut().queue.pop_front() {
                return self.decode(&data);
            }
            let left = deadline - crate::wait::now_ms();
            if left <= 0.0 {
                return Err(Error::Timeout);
            }
            // A message wakes the inbox's waker too, but a short sleep keeps
            // this simple and bounded.
            let _ = JsFuture::from(portalis_sleep(left.min(5.0))).await;
        }
    }

    /// The next value if one has arrived. Never blocks.
    ///
    /// # Errors
    /// As [`recv`](Self::recv).
    pub fn try_recv(&self) -> Result<Option<T>> {
        let data = self.inbox.borrow_mut().queue.pop_front();
        data.map(|d| self.decode(&d)).transpose()
    }

    fn decode(&self, data: &JsValue) -> Result<T> {
        let bytes = if let Some(a) = data.dyn_ref::<Uint8Array>() {
            a.to_vec()
        } else if let Some(b) = data.dyn_ref::<ArrayBuffer>() {
            Uint8Array::new(b).to_vec()
        } else {
            return Err(Error::Codec("the message is not a byte array".into()));
        };
        self.codec.decode(&bytes)
    }
}

impl<T> Drop for TypedPort<T> {
    fn drop(&mut self) {
        self.endpoint.set_onmessage(None);
    }
}

struct Recv<'a> {
    inbox: &'a Rc<RefCell<Inbox>>,
}

impl Future for Recv<'_> {
    type Output = JsValue;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<JsValue> {
        let mut inbox = self.inbox.borrow_mut();
        match inbox.queue.pop_front() {
            Some(v) => Poll::Ready(v),
            None => {
                inbox.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
