package io.roundhouse.router.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a message's bytes live does not change how it is framed: the parser reads a heap buffer's own array and a copy
 * of a direct buffer (every received datagram), and both must give the index the heap gives; a message copied to keep
 * (a new request) carries its index over and must read as its bytes would parse.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SipParserBuffersTest {

    /** The direct buffers a test made; released after it (the tests run with Netty's paranoid leak detection). */
    private final List<ByteBuf> allocated = new ArrayList<>();

    @AfterEach
    void releaseBuffers() {
        allocated.forEach(ByteBuf::release);
    }

    @Test
    void everyFixtureInADirectSliceIsFramedAsOnTheHeap() {
        List<String> names = fixtureNames();
        assertThat(names).hasSizeGreaterThan(50);
        for (String name : names) {
            byte[] bytes = Fixtures.bytes(name);
            for (boolean datagram : new boolean[] {true, false}) {
                String onTheHeap = framing(() -> SipParser.parse(Unpooled.wrappedBuffer(bytes), datagram));
                assertThat(framing(() -> SipParser.parse(directSlice(bytes), datagram)))
                        .as("%s in a slice (datagram %s)", name, datagram).isEqualTo(onTheHeap);
                assertThat(framing(() -> SipParser.parse(directSlice(bytes).unwrap(), datagram)))
                        .as("%s at reader index 16 (datagram %s)", name, datagram).isEqualTo(onTheHeap);
            }
        }
    }

    @Test
    void aCopyIsIndexedAsItsOwnBytesWouldBeParsed() {
        for (String name : fixtureNames()) {
            SipMessage original;
            try {
                original = SipParser.parse(directSlice(Fixtures.bytes(name)), true);
            } catch (SipParseException unframed) {
                continue;
            }
            original.topViaOrNull();
            original.toTagOrNull();

            SipMessage copy = original.copy();
            original.buffer().setZero(original.base(), original.length());

            byte[] copied = new byte[copy.length()];
            copy.buffer().getBytes(copy.base(), copied);
            SipMessage reparsed = SipParser.parse(Unpooled.wrappedBuffer(copied), true);
            assertThat(framing(() -> copy)).as(name).isEqualTo(framing(() -> reparsed));
            assertThat(copy.topViaOrNull()).as(name).isEqualTo(reparsed.topViaOrNull());
            assertThat(copy.toTagOrNull()).as(name).isEqualTo(reparsed.toTagOrNull());
        }
    }

    @Test
    void aDirectMessageLargerThanTheKeptCopyIsFramedWhole() {
        String body = "a=x-filler:" + "f".repeat(70_000) + "\r\n";
        byte[] bytes = (Fixtures.text("invite-basic.sip").replace("Content-Length: 14", "Content-Length: "
                + body.length()).replace("v=0\r\no=- 0 0\r\n", body)).getBytes(StandardCharsets.UTF_8);

        SipMessage m = SipParser.parse(directSlice(bytes), true);

        assertThat(m.defect()).isNull();
        assertThat(m.callId()).isEqualTo("a84b4c76e66710@pc33.atlanta.example.com");
        assertThat(m.bodyLength()).isEqualTo(body.length());
    }

    @Test
    void framingAnotherMessageLeavesTheFirstOneReadable() {
        SipMessage first = SipParser.parse(directSlice(Fixtures.bytes("invite-basic.sip")), true);
        SipParser.parse(directSlice(Fixtures.bytes("response-180.sip")), true);

        assertThat(first.callId()).isEqualTo("a84b4c76e66710@pc33.atlanta.example.com");
        assertThat(first.topVia().branch()).isEqualTo("z9hG4bK776asdhds");
    }

    /**
     * The message in the middle of a larger direct buffer, as a slice; its {@code unwrap()} is that buffer with its
     * reader and writer indexes around the message.
     */
    private ByteBuf directSlice(byte[] message) {
        ByteBuf parent = Unpooled.directBuffer(message.length + 64);
        allocated.add(parent);
        parent.writeBytes("XXXXXXXXXXXXXXXX".getBytes(StandardCharsets.US_ASCII));
        parent.writeBytes(message);
        parent.writeBytes("YYYYYYYYYYYYYYYY".getBytes(StandardCharsets.US_ASCII));
        parent.setIndex(16, 16 + message.length);
        return parent.slice();
    }

    /** What the parser indexed, in offsets from the start of the message, or the error it raised. */
    private static String framing(java.util.function.Supplier<SipMessage> parse) {
        SipMessage m;
        try {
            m = parse.get();
        } catch (SipParseException e) {
            return "error at " + e.offset() + ": " + e.reason();
        }
        int base = m.base();
        StringBuilder sb = new StringBuilder();
        sb.append(m.isRequest() ? m.method() + " " + m.requestUri() : m.statusCode() + " " + m.reasonPhrase());
        sb.append(" | start line ends ").append(m.startLineEnd() - base);
        for (int i = 0; i < m.headerCount(); i++) {
            sb.append(" | ").append(m.headerName(i)).append(' ').append(m.headerNameText(i))
                    .append(' ').append(m.lineStart(i) - base).append('-').append(m.lineEnd(i) - base)
                    .append(" value ").append(m.valueStart(i) - base).append('-').append(m.valueEnd(i) - base);
        }
        sb.append(" | body ").append(m.bodyStart() - base).append('+').append(m.bodyLength())
                .append(m.hasContentLength() ? " counted" : " to the end");
        SipParseException defect = m.defect();
        sb.append(" | defect ").append(defect == null ? "none" : defect.offset() + ": " + defect.reason());
        sb.append(m.badVersion() ? " (version)" : "");
        return sb.toString();
    }

    private static List<String> fixtureNames() {
        try {
            Path root = Path.of(SipParserBuffersTest.class.getResource("/sip").toURI());
            List<String> names = new ArrayList<>();
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".sip"))
                        .forEach(p -> names.add(root.relativize(p).toString().replace('\\', '/')));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
