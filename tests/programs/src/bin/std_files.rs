//! One fd table for every thread: a file opened in one thread is used in
//! another, and files written by threads are read by main. Runs with a
//! preopened directory at `/work`. (Shared memory only.)

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

portalis_test_programs::guest::tasks!();

fn main() {
    let dir = std::env::var("WORK_DIR").unwrap_or_else(|_| "/work".to_owned());
    let path = format!("{dir}/shared.txt");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    file.write_all(b"written by main\n").unwrap();

    // The same open file (the same fd) used from another thread.
    let handle = std::thread::spawn(move || {
        file.write_all(b"written by a thread through main's fd\n")
            .unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        text
    });
    let text = handle.join().unwrap();
    assert_eq!(
        text,
        "written by main\nwritten by a thread through main's fd\n"
    );

    // Threads create files; main reads them.
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                std::fs::write(format!("{dir}/t{i}.txt"), format!("thread {i}")).unwrap()
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    for i in 0..4 {
        assert_eq!(
            std::fs::read_to_string(format!("{dir}/t{i}.txt")).unwrap(),
            format!("thread {i}")
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["shared.txt", "t0.txt", "t1.txt", "t2.txt", "t3.txt"]
    );
    for n in &names {
        std::fs::remove_file(format!("{dir}/{n}")).unwrap();
    }
    assert!(
        File::open("/etc/passwd").is_err(),
        "nothing outside the preopens"
    );
    assert!(
        File::open(format!("{dir}/../../etc/passwd")).is_err(),
        "no escape with .."
    );
    println!("std_files ok");
}
