package io.roundhouse.router.transport;

import io.netty.channel.ChannelFactory;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Native epoll when the platform has it, NIO otherwise. */
public enum NettyTransports {
    EPOLL,
    NIO;

    /** The best transport available here. */
    public static NettyTransports best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /**
     * Ready sockets handled per epoll wait before the loop runs its tasks (timers, probes). Netty's default grows to
     * 4,096, so 4,000 connections closing at once were handled in one batch while every timer waited; 128 keeps a
     * batch to milliseconds and costs nothing to the one UDP socket that carries most traffic.
     */
    static final int MAX_EVENTS_PER_WAKEUP = 128;

    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory(MAX_EVENTS_PER_WAKEUP, DefaultSelectStrategyFactory.INSTANCE)
                : NioIoHandler.newFactory();
    }

    @SuppressWarnings("deprecation")
    public ChannelFactory<DatagramChannel> datagramChannel(boolean ipv6) {
        if (this == EPOLL) {
            return () -> new EpollDatagramChannel(ipv6 ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4);
        }
        return () -> new NioDatagramChannel(ipv6 ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4);
    }

    public ChannelFactory<ServerSocketChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    }

    public ChannelFactory<SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel::new : NioSocketChannel::new;
    }
}
