//! The WASI preview1 functions of a wasi-threads run, with one fd table that
//! every thread shares.
//!
//! wasmtime-wasi 48's preview1 keeps its fd table in each Store, so a file
//! opened by one thread would be unknown to the others; wasi-threads threads
//! are one process and must share it. This module implements the preview1
//! calls that std, wasi-libc and rayon programs make (args, environ, clocks,
//! fd I/O, files and directories under preopens, poll for sleeping,
//! random, exit, yield) over one `Mutex`-guarded table. Paths resolve
//! through cap-primitives, so a guest cannot leave its preopened directories
//! (`..`, absolute paths and symlinks are contained). Other preview1 imports
//! return `ENOSYS`. Stdout and stderr writes go out whole under a lock, so
//! lines from many threads are neither lost nor torn.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use wasmtime::Caller;
use wasmtime_wasi::p2::OutputStream;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

use super::ThreadState;
use super::memory::{EFAULT, Errno, GuestMemory};
use crate::program::Output;

pub(crate) const SUCCESS: Errno = 0;
const EACCES: Errno = 2;
const EAGAIN: Errno = 6;
const EBADF: Errno = 8;
const EBUSY: Errno = 10;
const EEXIST: Errno = 20;
const EINVAL: Errno = 28;
const EIO: Errno = 29;
const EISDIR: Errno = 31;
const ELOOP: Errno = 32;
const EMFILE: Errno = 33;
const ENAMETOOLONG: Errno = 37;
const ENOENT: Errno = 44;
const ENOSPC: Errno = 51;
const ENOSYS: Errno = 52;
const ENOTDIR: Errno = 54;
const ENOTEMPTY: Errno = 55;
const ENOTSUP: Errno = 58;
const EPERM: Errno = 63;
const ESPIPE: Errno = 70;
const EXDEV: Errno = 75;

const FILETYPE_UNKNOWN: u8 = 0;
const FILETYPE_CHARACTER_DEVICE: u8 = 2;
const FILETYPE_DIRECTORY: u8 = 3;
const FILETYPE_REGULAR_FILE: u8 = 4;
const FILETYPE_SYMBOLIC_LINK: u8 = 7;

const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;
const ALL_RIGHTS: u64 = (1 << 30) - 1;

const OFLAGS_CREAT: i32 = 1;
const OFLAGS_DIRECTORY: i32 = 2;
const OFLAGS_EXCL: i32 = 4;
const OFLAGS_TRUNC: i32 = 8;
const FDFLAGS_APPEND: i32 = 1;

/// The WASI errno for an I/O error (Linux errno values).
fn errno(e: &std::io::Error) -> Errno {
    match e.raw_os_error() {
        Some(1) => EPERM,
        Some(2) => ENOENT,
        Some(9) => EBADF,
        Some(11) => EAGAIN,
        Some(13) => EACCES,
        Some(16) => EBUSY,
        Some(17) => EEXIST,
        Some(18) => EXDEV,
        Some(20) => ENOTDIR,
        Some(21) => EISDIR,
        Some(22) => EINVAL,
        Some(24) => EMFILE,
        Some(28) => ENOSPC,
        Some(29) => ESPIPE,
        Some(36) => ENAMETOOLONG,
        Some(38) => ENOSYS,
        Some(39) => ENOTEMPTY,
        Some(40) => ELOOP,
        Some(95) => ENOTSUP,
        _ => match e.kind() {
            std::io::ErrorKind::NotFound => ENOENT,
            std::io::ErrorKind::PermissionDenied => EACCES,
            std::io::ErrorKind::AlreadyExists => EEXIST,
            std::io::ErrorKind::InvalidInput => EINVAL,
            _ => EIO,
        },
    }
}

/// Where stdout or stderr goes.
enum Sink {
    Stdout,
    Stderr,
    Pipe(MemoryOutputPipe),
}

impl Sink {
    fn new(output: &Output, stdout: bool) -> Self {
        match output {
            Output::Inherit if stdout => Sink::Stdout,
            Output::Inherit => Sink::Stderr,
            Output::Capture(pipe) => Sink::Pipe(pipe.clone()),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        match self {
            Sink::Stdout => std::io::stdout()
                .lock()
                .write_all(bytes)
                .map_err(|e| errno(&e)),
            Sink::Stderr => std::io::stderr()
                .lock()
                .write_all(bytes)
                .map_err(|e| errno(&e)),
            Sink::Pipe(pipe) => pipe
                .write(bytes::Bytes::copy_from_slice(bytes))
                .map_err(|_| EIO),
        }
    }
}

/// An open directory, and the guest path it was preopened at.
struct Dir {
    file: File,
    preopen: Option<String>,
}

/// What a file descriptor refers to.
#[derive(Clone)]
enum Entry {
    Stdin,
    Stdout,
    Stderr,
    Dir(Arc<Dir>),
    File(Arc<File>),
}

struct Fds {
    table: HashMap<u32, Entry>,
    next: u32,
}

/// The preview1 state of one run, shared by all its threads.
pub(crate) struct Preview1 {
    args: Vec<String>,
    env: Vec<(String, String)>,
    fds: Mutex<Fds>,
    stdout: Mutex<Sink>,
    stderr: Mutex<Sink>,
    started: Instant,
}

impl Preview1 {
    /// The state for a run with these arguments, environment, preopened
    /// directories (host path, guest path) and outputs.
    pub(crate) fn new(
        args: Vec<String>,
        env: Vec<(String, String)>,
        dirs: &[(std::path::PathBuf, String)],
        stdout: &Output,
        stderr: &Output,
    ) -> std::io::Result<Self> {
        let mut table = HashMap::new();
        table.insert(0, Entry::Stdin);
        table.insert(1, Entry::Stdout);
        table.insert(2, Entry::Stderr);
        let mut next = 3;
        for (host, guest) in dirs {
            let file =
                cap_primitives::fs::open_ambient_dir(host, cap_primitives::ambient_authority())?;
            table.insert(
                next,
                Entry::Dir(Arc::new(Dir {
                    file,
                    preopen: Some(guest.clone()),
                })),
            );
            next += 1;
        }
        Ok(Self {
            args,
            env,
            fds: Mutex::new(Fds { table, next }),
            stdout: Mutex::new(Sink::new(stdout, true)),
            stderr: Mutex::new(Sink::new(stderr, false)),
            started: Instant::now(),
        })
    }

    fn entry(&self, fd: i32) -> Result<Entry, Errno> {
        let fds = self.fds.lock().unwrap_or_else(|e| e.into_inner());
        fds.table.get(&(fd as u32)).cloned().ok_or(EBADF)
    }

    fn insert(&self, entry: Entry) -> u32 {
        let mut fds = self.fds.lock().unwrap_or_else(|e| e.into_inner());
        let mut fd = fds.next;
        while fds.table.contains_key(&fd) {
            fd += 1;
        }
        fds.next = fd + 1;
        fds.table.insert(fd, entry);
        fd
    }

    fn dir(&self, fd: i32) -> Result<Arc<Dir>, Errno> {
        match self.entry(fd)? {
            Entry::Dir(d) => Ok(d),
            _ => Err(ENOTDIR),
        }
    }
}

type Ctx<'a> = Caller<'a, ThreadState>;

fn state<'a>(caller: &'a Ctx<'_>) -> (&'a Preview1, &'a GuestMemory) {
    let run = &caller.data().run;
    (&run.preview1, &run.memory)
}

/// Runs a preview1 call, turning its result into the errno it returns.
fn call(f: impl FnOnce() -> Result<(), Errno>) -> i32 {
    match f() {
        Ok(()) => i32::from(SUCCESS),
        Err(e) => i32::from(e),
    }
}

fn strings_sizes(
    mem: &GuestMemory,
    items: &[String],
    count_ptr: i32,
    size_ptr: i32,
) -> Result<(), Errno> {
    let size: usize = items.iter().map(|s| s.len() + 1).sum();
    mem.write_u32(count_ptr as u32, items.len() as u32)?;
    mem.write_u32(size_ptr as u32, u32::try_from(size).map_err(|_| EFAULT)?)
}

fn strings_get(mem: &GuestMemory, items: &[String], ptrs: i32, buf: i32) -> Result<(), Errno> {
    let mut at = buf as u32;
    for (i, s) in items.iter().enumerate() {
        mem.write_u32(ptrs as u32 + 4 * i as u32, at)?;
        mem.write(at, s.as_bytes())?;
        mem.write(at + s.len() as u32, &[0])?;
        at += s.len() as u32 + 1;
    }
    Ok(())
}

fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn write_filestat(mem: &GuestMemory, ptr: u32, meta: &std::fs::Metadata) -> Result<(), Errno> {
    use std::os::unix::fs::MetadataExt;
    let filetype = if meta.is_dir() {
        FILETYPE_DIRECTORY
    } else if meta.is_file() {
        FILETYPE_REGULAR_FILE
    } else if meta.file_type().is_symlink() {
        FILETYPE_SYMBOLIC_LINK
    } else {
        FILETYPE_UNKNOWN
    };
    let mut buf = [0u8; 64];
    buf[0..8].copy_from_slice(&meta.dev().to_le_bytes());
    buf[8..16].copy_from_slice(&meta.ino().to_le_bytes());
    buf[16] = filetype;
    buf[24..32].copy_from_slice(&meta.nlink().to_le_bytes());
    buf[32..40].copy_from_slice(&meta.len().to_le_bytes());
    buf[40..48].copy_from_slice(&meta.accessed().map_or(0, nanos).to_le_bytes());
    buf[48..56].copy_from_slice(&meta.modified().map_or(0, nanos).to_le_bytes());
    buf[56..64].copy_from_slice(&meta.created().map_or(0, nanos).to_le_bytes());
    mem.write(ptr, &buf)
}

/// Defines the preview1 functions in `linker`.
pub(crate) fn add_to_linker(linker: &mut wasmtime::Linker<ThreadState>) -> wasmtime::Result<()> {
    const M: &str = "wasi_snapshot_preview1";

    linker.func_wrap(M, "args_sizes_get", |c: Ctx<'_>, count: i32, size: i32| {
        let (p, mem) = state(&c);
        call(|| strings_sizes(mem, &p.args, count, size))
    })?;
    linker.func_wrap(M, "args_get", |c: Ctx<'_>, ptrs: i32, buf: i32| {
        let (p, mem) = state(&c);
        call(|| strings_get(mem, &p.args, ptrs, buf))
    })?;
    linker.func_wrap(
        M,
        "environ_sizes_get",
        |c: Ctx<'_>, count: i32, size: i32| {
            let (p, mem) = state(&c);
            let vars: Vec<String> = p.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
            call(|| strings_sizes(mem, &vars, count, size))
        },
    )?;
    linker.func_wrap(M, "environ_get", |c: Ctx<'_>, ptrs: i32, buf: i32| {
        let (p, mem) = state(&c);
        let vars: Vec<String> = p.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        call(|| strings_get(mem, &vars, ptrs, buf))
    })?;
    linker.func_wrap(M, "clock_res_get", |c: Ctx<'_>, id: i32, res: i32| {
        let (_, mem) = state(&c);
        call(|| match id {
            0..=3 => mem.write_u64(res as u32, 1),
            _ => Err(EINVAL),
        })
    })?;
    linker.func_wrap(
        M,
        "clock_time_get",
        |c: Ctx<'_>, id: i32, _precision: i64, out: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let t = match id {
                    0 => nanos(SystemTime::now()),
                    1..=3 => p.started.elapsed().as_nanos() as u64,
                    _ => return Err(EINVAL),
                };
                mem.write_u64(out as u32, t)
            })
        },
    )?;
    linker.func_wrap(M, "fd_close", |c: Ctx<'_>, fd: i32| {
        let (p, _) = state(&c);
        call(|| {
            let mut fds = p.fds.lock().unwrap_or_else(|e| e.into_inner());
            match fds.table.get(&(fd as u32)) {
                None => Err(EBADF),
                Some(Entry::Dir(d)) if d.preopen.is_some() => Err(ENOTSUP),
                Some(_) => {
                    fds.table.remove(&(fd as u32));
                    Ok(())
                }
            }
        })
    })?;
    linker.func_wrap(M, "fd_fdstat_get", |c: Ctx<'_>, fd: i32, out: i32| {
        let (p, mem) = state(&c);
        call(|| {
            let filetype = match p.entry(fd)? {
                Entry::Stdin | Entry::Stdout | Entry::Stderr => FILETYPE_CHARACTER_DEVICE,
                Entry::Dir(_) => FILETYPE_DIRECTORY,
                Entry::File(_) => FILETYPE_REGULAR_FILE,
            };
            let mut buf = [0u8; 24];
            buf[0] = filetype;
            buf[8..16].copy_from_slice(&ALL_RIGHTS.to_le_bytes());
            buf[16..24].copy_from_slice(&ALL_RIGHTS.to_le_bytes());
            mem.write(out as u32, &buf)
        })
    })?;
    linker.func_wrap(
        M,
        "fd_fdstat_set_flags",
        |c: Ctx<'_>, fd: i32, _flags: i32| {
            let (p, _) = state(&c);
            call(|| p.entry(fd).map(|_| ()))
        },
    )?;
    linker.func_wrap(M, "fd_filestat_get", |c: Ctx<'_>, fd: i32, out: i32| {
        let (p, mem) = state(&c);
        call(|| {
            let meta = match p.entry(fd)? {
                Entry::File(f) => f.metadata(),
                Entry::Dir(d) => d.file.metadata(),
                Entry::Stdin | Entry::Stdout | Entry::Stderr => {
                    let mut buf = [0u8; 64];
                    buf[16] = FILETYPE_CHARACTER_DEVICE;
                    return mem.write(out as u32, &buf);
                }
            }
            .map_err(|e| errno(&e))?;
            write_filestat(mem, out as u32, &meta)
        })
    })?;
    linker.func_wrap(
        M,
        "fd_filestat_set_size",
        |c: Ctx<'_>, fd: i32, size: i64| {
            let (p, _) = state(&c);
            call(|| match p.entry(fd)? {
                Entry::File(f) => f.set_len(size as u64).map_err(|e| errno(&e)),
                _ => Err(EBADF),
            })
        },
    )?;
    linker.func_wrap(M, "fd_prestat_get", |c: Ctx<'_>, fd: i32, out: i32| {
        let (p, mem) = state(&c);
        call(|| match p.entry(fd)? {
            Entry::Dir(d) => match &d.preopen {
                Some(name) => {
                    let mut buf = [0u8; 8];
                    buf[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
                    mem.write(out as u32, &buf)
                }
                None => Err(EBADF),
            },
            _ => Err(EBADF),
        })
    })?;
    linker.func_wrap(
        M,
        "fd_prestat_dir_name",
        |c: Ctx<'_>, fd: i32, path: i32, len: i32| {
            let (p, mem) = state(&c);
            call(|| match p.entry(fd)? {
                Entry::Dir(d) => match &d.preopen {
                    Some(name) if name.len() <= len as usize => {
                        mem.write(path as u32, name.as_bytes())
                    }
                    Some(_) => Err(ENAMETOOLONG),
                    None => Err(EBADF),
                },
                _ => Err(EBADF),
            })
        },
    )?;
    linker.func_wrap(
        M,
        "fd_read",
        |c: Ctx<'_>, fd: i32, iovs: i32, n: i32, nread: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let entry = p.entry(fd)?;
                let mut total = 0u32;
                for (ptr, len) in mem.iovecs(iovs as u32, n as u32)? {
                    let mut buf = vec![0u8; len as usize];
                    let got = match &entry {
                        // No stdin is configured: it reads as empty.
                        Entry::Stdin => 0,
                        Entry::File(f) => (&**f).read(&mut buf).map_err(|e| errno(&e))?,
                        Entry::Dir(_) => return Err(EISDIR),
                        Entry::Stdout | Entry::Stderr => return Err(EBADF),
                    };
                    mem.write(ptr, &buf[..got])?;
                    total += got as u32;
                    if got < len as usize {
                        break;
                    }
                }
                mem.write_u32(nread as u32, total)
            })
        },
    )?;
    linker.func_wrap(
        M,
        "fd_pread",
        |c: Ctx<'_>, fd: i32, iovs: i32, n: i32, offset: i64, nread: i32| {
            use std::os::unix::fs::FileExt;
            let (p, mem) = state(&c);
            call(|| {
                let Entry::File(f) = p.entry(fd)? else {
                    return Err(ESPIPE);
                };
                let mut at = offset as u64;
                let mut total = 0u32;
                for (ptr, len) in mem.iovecs(iovs as u32, n as u32)? {
                    let mut buf = vec![0u8; len as usize];
                    let got = f.read_at(&mut buf, at).map_err(|e| errno(&e))?;
                    mem.write(ptr, &buf[..got])?;
                    total += got as u32;
                    at += got as u64;
                    if got < len as usize {
                        break;
                    }
                }
                mem.write_u32(nread as u32, total)
            })
        },
    )?;
    linker.func_wrap(
        M,
        "fd_write",
        |c: Ctx<'_>, fd: i32, iovs: i32, n: i32, written: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let mut bytes = Vec::new();
                for (ptr, len) in mem.iovecs(iovs as u32, n as u32)? {
                    bytes.extend(mem.read(ptr, len as usize)?);
                }
                match p.entry(fd)? {
                    Entry::Stdout => p
                        .stdout
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .write_all(&bytes)?,
                    Entry::Stderr => p
                        .stderr
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .write_all(&bytes)?,
                    Entry::File(f) => (&*f).write_all(&bytes).map_err(|e| errno(&e))?,
                    Entry::Stdin => return Err(EBADF),
                    Entry::Dir(_) => return Err(EISDIR),
                }
                mem.write_u32(written as u32, bytes.len() as u32)
            })
        },
    )?;
    linker.func_wrap(
        M,
        "fd_pwrite",
        |c: Ctx<'_>, fd: i32, iovs: i32, n: i32, offset: i64, written: i32| {
            use std::os::unix::fs::FileExt;
            let (p, mem) = state(&c);
            call(|| {
                let Entry::File(f) = p.entry(fd)? else {
                    return Err(ESPIPE);
                };
                let mut bytes = Vec::new();
                for (ptr, len) in mem.iovecs(iovs as u32, n as u32)? {
                    bytes.extend(mem.read(ptr, len as usize)?);
                }
                f.write_all_at(&bytes, offset as u64)
                    .map_err(|e| errno(&e))?;
                mem.write_u32(written as u32, bytes.len() as u32)
            })
        },
    )?;
    linker.func_wrap(
        M,
        "fd_seek",
        |c: Ctx<'_>, fd: i32, offset: i64, whence: i32, out: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let Entry::File(f) = p.entry(fd)? else {
                    return Err(ESPIPE);
                };
                let pos = match whence {
                    0 => SeekFrom::Start(offset as u64),
                    1 => SeekFrom::Current(offset),
                    2 => SeekFrom::End(offset),
                    _ => return Err(EINVAL),
                };
                let at = (&*f).seek(pos).map_err(|e| errno(&e))?;
                mem.write_u64(out as u32, at)
            })
        },
    )?;
    linker.func_wrap(M, "fd_tell", |c: Ctx<'_>, fd: i32, out: i32| {
        let (p, mem) = state(&c);
        call(|| {
            let Entry::File(f) = p.entry(fd)? else {
                return Err(ESPIPE);
            };
            let at = (&*f).stream_position().map_err(|e| errno(&e))?;
            mem.write_u64(out as u32, at)
        })
    })?;
    for name in ["fd_sync", "fd_datasync"] {
        linker.func_wrap(M, name, |c: Ctx<'_>, fd: i32| {
            let (p, _) = state(&c);
            call(|| match p.entry(fd)? {
                Entry::File(f) => f.sync_all().map_err(|e| errno(&e)),
                _ => Ok(()),
            })
        })?;
    }
    linker.func_wrap(
        M,
        "fd_readdir",
        |c: Ctx<'_>, fd: i32, buf: i32, len: i32, cookie: i64, used: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let dir = p.dir(fd)?;
                let mut entries: Vec<(String, u8, u64)> = vec![
                    (".".into(), FILETYPE_DIRECTORY, 0),
                    ("..".into(), FILETYPE_DIRECTORY, 0),
                ];
                for e in cap_primitives::fs::read_base_dir(&dir.file).map_err(|e| errno(&e))? {
                    let e = e.map_err(|e| errno(&e))?;
                    let ft = match e.file_type() {
                        Ok(t) if t.is_dir() => FILETYPE_DIRECTORY,
                        Ok(t) if t.is_file() => FILETYPE_REGULAR_FILE,
                        Ok(t) if t.is_symlink() => FILETYPE_SYMBOLIC_LINK,
                        _ => FILETYPE_UNKNOWN,
                    };
                    entries.push((e.file_name().to_string_lossy().into_owned(), ft, 0));
                }
                let mut out = Vec::new();
                for (i, (name, ft, ino)) in entries.iter().enumerate().skip(cookie as usize) {
                    let mut head = [0u8; 24];
                    head[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
                    head[8..16].copy_from_slice(&ino.to_le_bytes());
                    head[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
                    head[20] = *ft;
                    out.extend_from_slice(&head);
                    out.extend_from_slice(name.as_bytes());
                    if out.len() >= len as usize {
                        break;
                    }
                }
                out.truncate(len as usize);
                mem.write(buf as u32, &out)?;
                mem.write_u32(used as u32, out.len() as u32)
            })
        },
    )?;
    linker.func_wrap(
        M,
        "path_open",
        |c: Ctx<'_>,
         dirfd: i32,
         _dirflags: i32,
         path: i32,
         path_len: i32,
         oflags: i32,
         rights: i64,
         _inheriting: i64,
         fdflags: i32,
         opened: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let dir = p.dir(dirfd)?;
                let path = mem.read_str(path as u32, path_len as u32)?;
                let path = Path::new(&path);
                let rights = rights as u64;
                let entry = if oflags & OFLAGS_DIRECTORY != 0 {
                    let d = cap_primitives::fs::open_dir(&dir.file, path).map_err(|e| errno(&e))?;
                    Entry::Dir(Arc::new(Dir {
                        file: d,
                        preopen: None,
                    }))
                } else {
                    let write = rights & RIGHT_FD_WRITE != 0
                        || oflags & (OFLAGS_CREAT | OFLAGS_TRUNC) != 0
                        || fdflags & FDFLAGS_APPEND != 0;
                    let read = rights & RIGHT_FD_READ != 0 || !write;
                    let mut options = cap_primitives::fs::OpenOptions::new();
                    options
                        .read(read)
                        .write(write)
                        .append(fdflags & FDFLAGS_APPEND != 0)
                        .truncate(oflags & OFLAGS_TRUNC != 0)
                        .create(oflags & OFLAGS_CREAT != 0)
                        .create_new(oflags & OFLAGS_CREAT != 0 && oflags & OFLAGS_EXCL != 0);
                    match cap_primitives::fs::open(&dir.file, path, &options) {
                        Ok(f) => Entry::File(Arc::new(f)),
                        // A directory opened without O_DIRECTORY, for reading.
                        Err(e) if errno(&e) == EISDIR && !write => {
                            let d = cap_primitives::fs::open_dir(&dir.file, path)
                                .map_err(|e| errno(&e))?;
                            Entry::Dir(Arc::new(Dir {
                                file: d,
                                preopen: None,
                            }))
                        }
                        Err(e) => return Err(errno(&e)),
                    }
                };
                let fd = p.insert(entry);
                mem.write_u32(opened as u32, fd)
            })
        },
    )?;
    linker.func_wrap(
        M,
        "path_filestat_get",
        |c: Ctx<'_>, dirfd: i32, flags: i32, path: i32, path_len: i32, out: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let dir = p.dir(dirfd)?;
                let path = mem.read_str(path as u32, path_len as u32)?;
                let follow = if flags & 1 != 0 {
                    cap_primitives::fs::FollowSymlinks::Yes
                } else {
                    cap_primitives::fs::FollowSymlinks::No
                };
                // Stat through an open handle, to read the std metadata.
                let meta = cap_primitives::fs::stat(&dir.file, Path::new(&path), follow)
                    .map_err(|e| errno(&e))?;
                let handle = if meta.is_dir() {
                    cap_primitives::fs::open_dir(&dir.file, Path::new(&path))
                } else {
                    let mut o = cap_primitives::fs::OpenOptions::new();
                    o.read(true);
                    cap_primitives::fs::open(&dir.file, Path::new(&path), &o)
                }
                .map_err(|e| errno(&e))?;
                let meta = handle.metadata().map_err(|e| errno(&e))?;
                write_filestat(mem, out as u32, &meta)
            })
        },
    )?;
    linker.func_wrap(
        M,
        "path_create_directory",
        |c: Ctx<'_>, dirfd: i32, path: i32, len: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let dir = p.dir(dirfd)?;
                let path = mem.read_str(path as u32, len as u32)?;
                cap_primitives::fs::create_dir(
                    &dir.file,
                    Path::new(&path),
                    &cap_primitives::fs::DirOptions::new(),
                )
                .map_err(|e| errno(&e))
            })
        },
    )?;
    linker.func_wrap(
        M,
        "path_remove_directory",
        |c: Ctx<'_>, dirfd: i32, path: i32, len: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let dir = p.dir(dirfd)?;
                let path = mem.read_str(path as u32, len as u32)?;
                cap_primitives::fs::remove_dir(&dir.file, Path::new(&path)).map_err(|e| errno(&e))
            })
        },
    )?;
    linker.func_wrap(
        M,
        "path_unlink_file",
        |c: Ctx<'_>, dirfd: i32, path: i32, len: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let dir = p.dir(dirfd)?;
                let path = mem.read_str(path as u32, len as u32)?;
                cap_primitives::fs::remove_file(&dir.file, Path::new(&path)).map_err(|e| errno(&e))
            })
        },
    )?;
    linker.func_wrap(
        M,
        "path_rename",
        |c: Ctx<'_>, from_fd: i32, from: i32, from_len: i32, to_fd: i32, to: i32, to_len: i32| {
            let (p, mem) = state(&c);
            call(|| {
                let (a, b) = (p.dir(from_fd)?, p.dir(to_fd)?);
                let from = mem.read_str(from as u32, from_len as u32)?;
                let to = mem.read_str(to as u32, to_len as u32)?;
                cap_primitives::fs::rename(&a.file, Path::new(&from), &b.file, Path::new(&to))
                    .map_err(|e| errno(&e))
            })
        },
    )?;
    linker.func_wrap(M, "poll_oneoff", poll_oneoff)?;
    linker.func_wrap(
        M,
        "proc_exit",
        |_c: Ctx<'_>, code: i32| -> wasmtime::Result<()> {
            Err(wasmtime_wasi::I32Exit(code).into())
        },
    )?;
    linker.func_wrap(M, "random_get", |c: Ctx<'_>, buf: i32, len: i32| {
        let (_, mem) = state(&c);
        call(|| {
            let mut bytes = vec![0u8; len as usize];
            fill_random(&mut bytes);
            mem.write(buf as u32, &bytes)
        })
    })?;
    linker.func_wrap(M, "sched_yield", |_c: Ctx<'_>| {
        std::thread::yield_now();
        i32::from(SUCCESS)
    })?;
    Ok(())
}

/// Unpredictable bytes from the OS's source (via std's hasher keys).
fn fill_random(out: &mut [u8]) {
    use std::hash::{BuildHasher, RandomState};
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let v = RandomState::new().hash_one(i).to_le_bytes();
        chunk.copy_from_slice(&v[..chunk.len()]);
    }
}

/// Waits for clock subscriptions (sleeps); reports fd subscriptions ready.
/// Sleeping is sliced, so a stopped run wakes it.
fn poll_oneoff(c: Ctx<'_>, inp: i32, out: i32, n: i32, nevents: i32) -> wasmtime::Result<i32> {
    let run = c.data().run.clone();
    let mem = &run.memory;
    let mut events = Vec::new();
    let mut earliest: Option<(Instant, u64)> = None;
    for i in 0..n as u32 {
        let sub = match mem.read(inp as u32 + 48 * i, 48) {
            Ok(s) => s,
            Err(e) => return Ok(i32::from(e)),
        };
        let userdata = u64::from_le_bytes(sub[0..8].try_into().expect("8 bytes"));
        match sub[8] {
            0 => {
                let clock = u32::from_le_bytes(sub[16..20].try_into().expect("4 bytes"));
                let timeout = u64::from_le_bytes(sub[24..32].try_into().expect("8 bytes"));
                let absolute =
                    u16::from_le_bytes(sub[40..42].try_into().expect("2 bytes")) & 1 != 0;
                let wait = if absolute {
                    let now = match clock {
                        0 => nanos(SystemTime::now()),
                        _ => run.preview1.started.elapsed().as_nanos() as u64,
                    };
                    Duration::from_nanos(timeout.saturating_sub(now))
                } else {
                    Duration::from_nanos(timeout)
                };
                let at = Instant::now() + wait;
                if earliest.is_none_or(|(t, _)| at < t) {
                    earliest = Some((at, userdata));
                }
            }
            kind @ (1 | 2) => events.push((userdata, kind, 0u16)),
            _ => return Ok(i32::from(EINVAL)),
        }
    }
    if events.is_empty()
        && let Some((at, userdata)) = earliest
    {
        loop {
            if run.control.is_stopped() {
                return Err(wasmtime::Error::msg("the run was stopped"));
            }
            let left = at.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            run.control.wait_stopped(left.min(crate::blocking::SLICE));
        }
        events.push((userdata, 0, 0));
    }
    for (i, (userdata, kind, error)) in events.iter().enumerate() {
        let mut ev = [0u8; 32];
        ev[0..8].copy_from_slice(&userdata.to_le_bytes());
        ev[8..10].copy_from_slice(&error.to_le_bytes());
        ev[10] = *kind;
        if let Err(e) = mem.write(out as u32 + 32 * i as u32, &ev) {
            return Ok(i32::from(e));
        }
    }
    Ok(i32::from(
        mem.write_u32(nevents as u32, events.len() as u32)
            .err()
            .unwrap_or(SUCCESS),
    ))
}

/// The preview1 functions `add_to_linker` defines.
const DEFINED: &[&str] = &[
    "args_sizes_get",
    "args_get",
    "environ_sizes_get",
    "environ_get",
    "clock_res_get",
    "clock_time_get",
    "fd_close",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_read",
    "fd_pread",
    "fd_write",
    "fd_pwrite",
    "fd_seek",
    "fd_tell",
    "fd_sync",
    "fd_datasync",
    "fd_readdir",
    "path_open",
    "path_filestat_get",
    "path_create_directory",
    "path_remove_directory",
    "path_unlink_file",
    "path_rename",
    "poll_oneoff",
    "proc_exit",
    "random_get",
    "sched_yield",
];

/// Defines every other preview1 import of `module` as returning `ENOSYS`.
pub(crate) fn add_missing(
    linker: &mut wasmtime::Linker<ThreadState>,
    module: &wasmtime::Module,
) -> wasmtime::Result<()> {
    for import in module.imports() {
        if import.module() != "wasi_snapshot_preview1" || DEFINED.contains(&import.name()) {
            continue;
        }
        if let wasmtime::ExternType::Func(ty) = import.ty() {
            let returns_errno = ty.results().len() == 1;
            linker.func_new(
                "wasi_snapshot_preview1",
                import.name(),
                ty.clone(),
                move |_caller, _params, results| {
                    if returns_errno {
                        results[0] = wasmtime::Val::I32(i32::from(ENOSYS));
                    }
                    Ok(())
                },
            )?;
        }
    }
    Ok(())
}
