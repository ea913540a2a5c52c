package io.roundhouse.agent.ami;

import org.asteriskjava.manager.ManagerEventListener;
import org.asteriskjava.manager.event.ConfbridgeEndEvent;
import org.asteriskjava.manager.event.ConfbridgeJoinEvent;
import org.asteriskjava.manager.event.ConfbridgeLeaveEvent;
import org.asteriskjava.manager.event.ConfbridgeStartEvent;
import org.asteriskjava.manager.event.DisconnectEvent;
import org.asteriskjava.manager.event.FullyBootedEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.NewChannelEvent;
import org.asteriskjava.manager.event.ResponseEvent;
import org.asteriskjava.manager.event.ShutdownEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the AMI events of one connection into mirror updates, on asterisk-java's reader thread (so it only touches the
 * mirror and signals the link; it never sends an action).
 */
final class EventFollower implements ManagerEventListener {

    private static final Logger log = LoggerFactory.getLogger(EventFollower.class);

    /** What the link must do about an event. */
    interface Signals {
        void connectionLost();

        void resyncWanted();
    }

    private final AsteriskMirror mirror;
    private final Signals signals;

    EventFollower(AsteriskMirror mirror, Signals signals) {
        this.mirror = mirror;
        this.signals = signals;
    }

    @Override
    public void onManagerEvent(ManagerEvent event) {
        if (event instanceof ResponseEvent) {
            return; // list items of our own snapshot actions, handled by SnapshotReader
        }
        if (event instanceof NewChannelEvent e) {
            mirror.channelCreated(e.getUniqueId());
        } else if (event instanceof HangupEvent e) {
            mirror.channelHungUp(e.getUniqueId());
        } else if (event instanceof ConfbridgeJoinEvent e) {
            mirror.joined(e.getConference(), e.getUniqueId());
        } else if (event instanceof ConfbridgeLeaveEvent e) {
            mirror.left(e.getConference(), e.getUniqueId());
        } else if (event instanceof ConfbridgeStartEvent e) {
            mirror.roomStarted(e.getConference());
        } else if (event instanceof ConfbridgeEndEvent e) {
            mirror.roomEnded(e.getConference());
        } else if (event instanceof FullyBootedEvent) {
            // Sent at every login, and when Asterisk finishes booting while we are connected: a snapshot taken
            // before that may have missed modules still loading.
            signals.resyncWanted();
        } else if (event instanceof ShutdownEvent e) {
            log.warn("Asterisk is shutting down ({}, restart {}): node no longer takes calls", e.getShutdown(),
                    e.getRestart());
            mirror.markUnreachable();
        } else if (event instanceof DisconnectEvent) {
            signals.connectionLost();
        }
    }
}
