package io.roundhouse.router.proxy;

import io.netty.channel.EventLoop;
import io.roundhouse.router.config.SipTimers;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.overload.OverloadGuard;
import io.roundhouse.router.transaction.SipScheduler;
import io.roundhouse.router.transaction.TransactionTable;

/**
 * What a {@link ProxyCall} works with, built once when the router starts (its listen addresses known) and shared by
 * every call: the call holds this reference and nothing of {@link ProxyCore}, so that the core is the entry point for
 * messages and not a service locator. Every member lives on (or is safe from) the router's one event loop.
 *
 * @param loop            the event loop every call, transaction and timer runs on
 * @param scheduler       the proxy's timers (failover timeout, Timer C, the CANCEL guard, the dispatcher watchdog)
 * @param timers          {@code sip.timers}
 * @param table           the transaction table the calls' server and client transactions live in
 * @param dispatcher      where a new call is sent, and the next node after a failure
 * @param metrics         counters
 * @param writer          writes forwarded requests and responses
 * @param responses       the router's own responses
 * @param nextHops        URI to destination (names looked up off the loop)
 * @param relay           where a request that names its own next hop may go
 * @param locals          the router's listen points as Via and Record-Route name them
 * @param routes          Route pre-processing (§16.4)
 * @param endedLegs       2xx answers nobody wants, ended by the router
 * @param calls           the count of calls in progress
 * @param recordRoute     {@code sip.record-route}
 * @param noServiceStatus {@code sip.no-service-status}: the answer to a call no service takes
 * @param flows           WebSocket peers' flows: their Record-Route and the in-dialog requests towards them
 * @param overload        the overload guard: while it says overloaded, a failover timeout does not redispatch
 */
record ProxyContext(EventLoop loop, SipScheduler scheduler, SipTimers timers, TransactionTable table,
                    Dispatcher dispatcher, ProxyMetrics metrics, MessageWriter writer, LocalResponses responses,
                    NextHops nextHops, RelayRule relay, LocalAddresses locals, RoutePlanner routes,
                    EndedLegs endedLegs, CallsInProgress calls, boolean recordRoute, int noServiceStatus,
                    FlowRoutes flows, OverloadGuard overload) {
}
