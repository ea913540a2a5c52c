package io.roundhouse.agent.services;

import io.roundhouse.agent.admission.Admission;
import io.roundhouse.agent.admission.Decision;
import io.roundhouse.agent.ari.HangupReason;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smallest useful service, proving the {@link StasisService} interface: admit, answer, and play a configured
 * sound ({@code sound: "sound:demo-echotest"}), then hold the call until the caller hangs up. ARI has no echo
 * primitive; with no sound configured the call is answered and held silent. Options: {@code sound}.
 */
public final class Echo implements StasisService {

    private static final Logger log = LoggerFactory.getLogger(Echo.class);

    private final String name;
    private final Admission admission;
    private final String sound;
    private final Set<String> channels = ConcurrentHashMap.newKeySet();
    private final ServiceContext context;

    public Echo(ServiceSettings settings, ServiceContext context) {
        settings.requireKnownOptions(Set.of("sound"));
        this.name = settings.name();
        this.admission = new Admission(name, settings.thresholds(), context.load());
        this.sound = settings.option("sound", "");
        this.context = context;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void onStart(Call call) {
        Decision decision = admission.newWork(channels.size(), call.channelId());
        if (!decision.admitted()) {
            log.info("{}: bounced {} with congestion: {}", name, call, decision.reason());
            call.hangup(HangupReason.CONGESTION);
            return;
        }
        channels.add(call.channelId());
        context.changes().stateChanged();
        call.answer();
        if (!sound.isEmpty()) {
            context.rest().play(call.channelId(), sound);
        }
        log.info("{}: answered {} ({})", name, call, decision.reason());
    }

    @Override
    public void onEnd(Call call) {
        if (channels.remove(call.channelId())) {
            context.changes().stateChanged();
        }
    }

    @Override
    public java.util.Optional<Admission> admission() {
        return java.util.Optional.of(admission);
    }

    @Override
    public int participants() {
        return channels.size();
    }

    @Override
    public boolean acceptsNewCalls() {
        return admission.newWork(channels.size()).admitted();
    }
}
