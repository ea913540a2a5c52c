package io.roundhouse.router.overload;

/**
 * The receive queues of the router's UDP listening sockets as the {@link OverloadGuard} reads them at each of its
 * samples: the most direct sign that the router cannot keep up with UDP is the kernel queueing datagrams faster than
 * the event loop reads them, then dropping them.
 */
interface ReceiveQueues {

    /** Where nothing is sampled (no UDP listener, not Linux, /proc unreadable): never over any limit. */
    ReceiveQueues ABSENT = new ReceiveQueues() {
        @Override
        public int takePeakFillPercent() {
            return 0;
        }

        @Override
        public long drops() {
            return 0;
        }
    };

    /**
     * The fullest a listening socket's receive queue was, in percent of its receive buffer ({@code SO_RCVBUF}), over
     * the samples since the last call (the latest sample's when none was taken since); resets that peak.
     */
    int takePeakFillPercent();

    /** Datagrams the kernel dropped at the listening sockets since they were opened (a full buffer, nearly always). */
    long drops();
}
