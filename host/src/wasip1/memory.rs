//! Reading and writing a run's shared linear memory from host functions.
//!
//! Every thread of a wasi-threads run uses the same `SharedMemory`, which
//! other threads may be writing while the host copies from it. The copies go
//! through raw pointers into wasmtime's `UnsafeCell<u8>` view of the memory,
//! as wasmtime's own preview1 (wiggle's `GuestMemory::Shared`) does: a guest
//! racing with its own host call sees torn bytes, never host unsoundness.

use wasmtime::SharedMemory;

/// A WASI errno, as host functions return it.
pub(crate) type Errno = u16;

pub(crate) const EFAULT: Errno = 21;

/// Guest memory of one run.
#[derive(Clone)]
pub(crate) struct GuestMemory(pub(crate) SharedMemory);

impl GuestMemory {
    fn range(&self, ptr: u32, len: usize) -> Result<std::ops::Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len).ok_or(EFAULT)?;
        if end > self.0.data().len() {
            return Err(EFAULT);
        }
        Ok(start..end)
    }

    /// Copies `len` bytes at `ptr` out of guest memory.
    pub(crate) fn read(&self, ptr: u32, len: usize) -> Result<Vec<u8>, Errno> {
        let range = self.range(ptr, len)?;
        let data = self.0.data();
        let mut out = vec![0u8; len];
        if len > 0 {
            // SAFETY: `range` is within the memory's current size, and
            // `UnsafeCell<u8>` has the layout of `u8`; memory only grows, so
            // the bytes stay valid for the copy. Concurrent guest writes can
            // only tear the copied bytes (see the module docs).
            unsafe {
                std::ptr::copy_nonoverlapping(data[range.start].get(), out.as_mut_ptr(), len);
            }
        }
        Ok(out)
    }

    /// Copies `bytes` into guest memory at `ptr`.
    pub(crate) fn write(&self, ptr: u32, bytes: &[u8]) -> Result<(), Errno> {
        let range = self.range(ptr, bytes.len())?;
        let data = self.0.data();
        if !bytes.is_empty() {
            // SAFETY: as in `read`; the destination is guest memory, which
            // the host may write through `UnsafeCell`.
            unsafe {
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), data[range.start].get(), bytes.len());
            }
        }
        Ok(())
    }

    pub(crate) fn write_u32(&self, ptr: u32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    pub(crate) fn write_u64(&self, ptr: u32, v: u64) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A guest string (UTF-8 checked).
    pub(crate) fn read_str(&self, ptr: u32, len: u32) -> Result<String, Errno> {
        String::from_utf8(self.read(ptr, len as usize)?).map_err(|_| 28) // EINVAL
    }

    /// The (ptr, len) pairs of an iovec array.
    pub(crate) fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        let raw = self.read(ptr, count as usize * 8)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| {
                (
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                    u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                )
            })
            .collect())
    }
}
