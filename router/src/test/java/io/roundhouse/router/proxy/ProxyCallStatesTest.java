package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.proxy.ProxyCall.State;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The table of {@link ProxyCall.State} changes: what each state may become, and nothing else. */
@Timeout(10)
class ProxyCallStatesTest {

    static Set<State> next(State from) {
        Set<State> out = EnumSet.noneOf(State.class);
        for (State to : State.values()) {
            if (from.mayBecome(to)) {
                out.add(to);
            }
        }
        return out;
    }

    @Test
    void aCallBeingRoutedStartsABranchOrEnds() {
        assertThat(next(State.ROUTING)).containsExactlyInAnyOrder(State.ROUTING, State.TRYING, State.TERMINATED);
    }

    @Test
    void aPendingBranchRingsFailsOverIsCancelledOrEnds() {
        assertThat(next(State.TRYING)).containsExactlyInAnyOrder(State.PROCEEDING, State.ROUTING, State.CANCELLING,
                State.TERMINATED);
        assertThat(next(State.PROCEEDING)).containsExactlyInAnyOrder(State.PROCEEDING, State.ROUTING,
                State.CANCELLING, State.TERMINATED);
    }

    @Test
    void aCancelledCallOnlyEndsAndAnEndedCallNeverChanges() {
        assertThat(next(State.CANCELLING)).containsExactly(State.TERMINATED);
        assertThat(next(State.TERMINATED)).isEmpty();
    }
}
