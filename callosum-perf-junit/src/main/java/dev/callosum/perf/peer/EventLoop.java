package dev.callosum.perf.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.zeromq.ZMQ;

/**
 * One thread that owns a set of ZeroMQ sockets: it polls them, runs tasks handed over from other
 * threads, and fires timers. Sockets are created and used on this thread only.
 *
 * <p>Other threads hand work over with {@link #execute}; the loop sleeps in {@code poll} and is
 * woken through a pipe, written only when the loop is actually asleep, so a busy loop costs no
 * system call per task. Nothing spins.
 *
 * <p>One race needs care: jeromq signals a socket's mailbox by writing a byte to a pipe and only
 * then counting the signal, and a non-blocking check trusts the count, not the pipe. Woken by the
 * byte before the writer (a ZeroMQ I/O thread) has counted it, the loop finds the descriptor
 * readable and the socket empty; were it to poll again at once it would find the same, and on a CPU
 * it shares with that writer it would keep the writer from running until the next scheduler tick
 * (up to 4 ms here; measured: 560 empty polls per call and a p90 of 3.5 ms on the request path of a
 * 20 ms-delay server). So on a signal that finds nothing the loop yields its CPU first.
 */
final class EventLoop extends LoopThread {

  /** Something that reacts to a readable socket by reading with non-blocking receives. */
  interface Readable {
    /**
     * Reads what is waiting.
     *
     * @return true if it stopped before the socket ran dry (to be fair to the others)
     */
    boolean onReadable() throws Exception;
  }

  /** A watched socket. */
  private static final class Registration {
    final ZMQ.Socket socket;
    final Readable reader;
    final SelectionKey key;
    boolean signalled;

    Registration(ZMQ.Socket socket, Readable reader, SelectionKey key) {
      this.socket = socket;
      this.reader = reader;
      this.key = key;
    }
  }

  private final List<Registration> registrations = new ArrayList<>();

  /** Whether every socket must be asked, not only the signalled ones; see {@link #dispatch}. */
  private boolean recheck = true;

  /** Whether a socket was signalled but had nothing yet: its writer has not finished signalling. */
  private boolean signalAhead;

  /** How many times the loop has polled; what tests watch for spinning. */
  private volatile long polls;

  private final ByteBuffer drain = ByteBuffer.allocate(64);
  private final ByteBuffer wakeByte = ByteBuffer.allocate(1);
  private Pipe wakeup;
  private Selector selector;
  private SelectionKey wakeupKey;

  EventLoop(String name) {
    super(name, true);
  }

  /**
   * Starts the thread, runs {@code init} on it, and returns once {@code init} is done.
   *
   * @throws RuntimeException whatever {@code init} threw, after the loop has stopped
   */
  void start(Runnable init) {
    startWith(init);
  }

  /** Watches a socket created on this thread. */
  void register(ZMQ.Socket socket, Readable reader) {
    assertInLoop("touch its sockets");
    try {
      // ZeroMQ's descriptor signals that the socket has news, not that a message waits: on it,
      // the loop asks the socket itself (getEvents), as libzmq's ZMQ_FD protocol requires.
      SelectionKey key = socket.getFD().register(selector, SelectionKey.OP_READ);
      Registration registration = new Registration(socket, reader, key);
      key.attach(registration);
      registrations.add(registration);
      recheck = true;
    } catch (ClosedChannelException e) {
      throw new IllegalStateException(name + ": socket already closed", e);
    }
  }

  void unregister(ZMQ.Socket socket) {
    assertInLoop("touch its sockets");
    for (int i = 0; i < registrations.size(); i++) {
      if (registrations.get(i).socket == socket) {
        registrations.remove(i).key.cancel();
        return;
      }
    }
  }

  @Override
  void loop() throws IOException {
    selector = Selector.open();
    wakeup = Pipe.open();
    wakeup.source().configureBlocking(false);
    wakeupKey = wakeup.source().register(selector, SelectionKey.OP_READ);
    while (running) {
      if (runTasks() | runTimers()) {
        recheck = true; // tasks and timers may have sent, and sending may eat a signal
      }
      if (!running) {
        break;
      }
      dispatch();
      if (signalAhead) {
        Thread.yield(); // let the writer finish signalling; see the class comment
      }
      long timeout = timerWaitMillis();
      sleeping.set(true);
      if (hasTasks() || recheck || timeout == 0) {
        selector.selectNow();
      } else if (timeout < 0) {
        selector.select();
      } else {
        selector.select(timeout);
      }
      sleeping.set(false);
      polls++; // only this thread writes it
      collectSignals();
    }
  }

  private void collectSignals() throws IOException {
    Set<SelectionKey> selected = selector.selectedKeys();
    if (selected.isEmpty()) {
      return;
    }
    for (SelectionKey key : selected) {
      if (key == wakeupKey) {
        drainWakeups();
      } else if (key.attachment() instanceof Registration registration) {
        registration.signalled = true;
      }
    }
    selected.clear();
  }

  private void drainWakeups() throws IOException {
    while (wakeup.source().read(drain.clear()) > 0) {
      // drained
    }
  }

  /**
   * Lets sockets with messages waiting read them. Only signalled sockets are asked, unless
   * something may have eaten a signal (a send from a task, a reader that stopped early): then all.
   * A reader that reads until the socket runs dry leaves it unsignalled until the next arrival.
   */
  private void dispatch() {
    boolean all = recheck;
    recheck = false;
    signalAhead = false;
    // By index: a reader may register or unregister sockets.
    for (int i = 0; i < registrations.size(); i++) {
      Registration r = registrations.get(i);
      boolean signalled = r.signalled;
      if (!all && !signalled) {
        continue;
      }
      r.signalled = false;
      // Ask getEvents() first: it processes the socket's pending commands unthrottled, which
      // consumes the signal. A non-blocking receive alone may skip them (jeromq throttles command
      // processing on non-blocking calls), leaving the descriptor readable and the loop spinning.
      if ((r.socket.getEvents() & ZMQ.Poller.POLLIN) == 0) {
        signalAhead |= signalled;
        continue;
      }
      try {
        if (r.reader.onReadable()) {
          recheck = true;
        }
      } catch (Throwable t) {
        LOG.log(System.Logger.Level.ERROR, name + ": socket handler failed; going on", t);
        recheck = true;
      }
    }
  }

  /** How many times the loop has polled so far. */
  long polls() {
    return polls;
  }

  @Override
  void wake() {
    Pipe pipe = wakeup;
    if (pipe == null) {
      return; // not started yet: the loop runs its tasks before it first sleeps
    }
    try {
      synchronized (wakeByte) {
        pipe.sink().write(wakeByte.clear());
      }
    } catch (IOException e) {
      // The loop is closing; its final task run picks the task up.
    }
  }

  @Override
  void cleanUp() {
    try {
      if (selector != null) {
        selector.close();
      }
      if (wakeup != null) {
        wakeup.source().close();
        wakeup.sink().close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, name + ": closing the wake-up pipe failed", e);
    }
  }
}
