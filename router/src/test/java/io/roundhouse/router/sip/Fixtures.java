package io.roundhouse.router.sip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Raw-wire SIP messages from {@code src/test/resources/sip/*.sip} (CRLF line ends kept). */
public final class Fixtures {

    private Fixtures() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/sip/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    public static ByteBuf buffer(String name) {
        return Unpooled.wrappedBuffer(bytes(name));
    }

    public static SipMessage parse(String name) {
        return SipParser.parse(buffer(name), true);
    }
}
