//! Unbounded channels: many producers and consumers, cloned receivers, and
//! ends sent to workers through another channel.

use portalis_test_programs::guest;

guest::task! {
    fn produce(args: (guest::Sender<u64>, u64)) -> () {
        let (tx, n) = args;
        for i in 0..n {
            tx.send(i).unwrap();
        }
    }

    fn consume(rx: guest::Receiver<u64>) -> (u64, u64) {
        let (mut count, mut sum) = (0, 0);
        while let Ok(v) = rx.recv() {
            count += 1;
            sum += v;
        }
        (count, sum)
    }

    /// Receives a sender through a channel, then uses it.
    fn relay(inbox: guest::Receiver<guest::Sender<String>>) -> () {
        let reply = inbox.recv().unwrap();
        reply.send("through a channel".to_owned()).unwrap();
    }
}

guest::tasks!(produce, consume, relay);

fn main() {
    let (tx, rx) = guest::unbounded::<u64>().unwrap();
    assert_eq!(tx.capacity(), None);
    let producers: Vec<_> = (0..3)
        .map(|_| guest::spawn(produce, (tx.clone(), 1000)).unwrap())
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|_| guest::spawn(consume, rx.clone()).unwrap())
        .collect();
    drop((tx, rx));
    for p in producers {
        p.join().unwrap();
    }
    let (count, sum) = consumers
        .into_iter()
        .map(|c| c.join().unwrap())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(count, 3000, "every message arrived once");
    assert_eq!(sum, 3 * (999 * 1000 / 2));

    let (inbox_tx, inbox_rx) = guest::unbounded::<guest::Sender<String>>().unwrap();
    let (reply_tx, reply_rx) = guest::bounded::<String>(1).unwrap();
    let h = guest::spawn(relay, inbox_rx).unwrap();
    inbox_tx.send(reply_tx).unwrap();
    assert_eq!(reply_rx.recv().unwrap(), "through a channel");
    h.join().unwrap();
    println!("channel_unbounded ok");
}
