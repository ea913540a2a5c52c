package io.roundhouse.sim.demo;

import java.io.PrintStream;

/** Redraws the farm table on the terminal once a second (ANSI: cursor home, clear screen), with a footer. */
final class LiveView implements AutoCloseable {

    private static final String CLEAR = "\033[H\033[2J";

    private final FarmTable table;
    private final PrintStream out;
    private final Thread thread;
    private volatile String footer = "";
    private volatile boolean closed;

    private LiveView(FarmTable table, PrintStream out) {
        this.table = table;
        this.out = out;
        this.thread = new Thread(this::loop, "demo-live-view");
        this.thread.setDaemon(true);
    }

    static LiveView start(FarmTable table, PrintStream out) {
        LiveView view = new LiveView(table, out);
        view.thread.start();
        return view;
    }

    void footer(String text) {
        footer = text;
    }

    private void loop() {
        while (!closed) {
            out.print(CLEAR + table.render() + "\n" + footer + "\n");
            out.flush();
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
