package io.roundhouse.shared.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The binding rules every Roundhouse config follows, on a small record tree of their own. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConfigBinderTest {

    /** A root with a list of items, as a process config has sections and lists. */
    record Farm(String name, List<Item> items, Duration every, Boolean enabled, String password) {
    }

    /** An item whose constructor validates, keyed relative to itself. */
    record Item(String id, Integer maxChannels) {
        Item {
            Require.text("id", id, "an id");
            Require.intIn("max-channels", maxChannels, 1, 1, 100);
        }
    }

    final ConfigBinder binder = new ConfigBinder();

    ConfigException refused(String yaml) {
        try {
            binder.bind(yaml, Farm.class);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void kebabCaseKeysBindRecordComponents() {
        Farm f = binder.bind("name: x\nitems: [ { id: a, max-channels: 7 } ]\nevery: 2s\n", Farm.class);
        assertThat(f.items()).containsExactly(new Item("a", 7));
        assertThat(f.every()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aRecordsOwnErrorIsPlacedUnderItsPathInTheFile() {
        ConfigException e = refused("items: [ { id: a }, { id: b, max-channels: 0 } ]");
        assertThat(e.key()).isEqualTo("items[1].max-channels");
        assertThat(e).hasMessage("items[1].max-channels: 0 (expected: an integer 1..100)");
    }

    @Test
    void unknownKeysAreRefusedWithTheKnownOnes() {
        assertThat(refused("items: [ { id: a, max-chanels: 3 } ]"))
                .hasMessage("items[0].max-chanels: unknown key (expected one of: id, max-channels)");
    }

    @Test
    void numbersAndBooleansAreNotReadFromStrings() {
        assertThat(refused("items: [ { id: a, max-channels: \"42\" } ]"))
                .hasMessage("items[0].max-channels: \"42\" (expected: an integer)");
        assertThat(refused("enabled: \"true\"")).hasMessage("enabled: \"true\" (expected: true or false)");
    }

    @Test
    void durationsNeedTheirUnit() {
        assertThat(refused("every: 5")).hasMessage("every: 5 (expected: a duration with its unit, such as 500ms, 4s, 3m)");
        assertThat(refused("every: soon")).hasMessageStartingWith("every: 'soon' (expected: a duration such as");
    }

    @Test
    void aKeyWrittenTwiceIsRefused() {
        assertThat(refused("name: a\nname: b\n").key()).isEqualTo("(document)");
    }

    @Test
    void secretsAreMaskedInErrors() {
        assertThat(refused("password: [ hunter2 ]")).hasMessage("password: *** (expected: a string)");
        assertThat(refused("name: [ \"redis://:hunter2@h\" ]")).hasMessageNotContaining("hunter2");
    }

    @Test
    void aSectionIsKeyedUnderItsPath() throws Exception {
        var tree = binder.readTree("farm: { items: [ { id: \"\" } ] }");
        assertThatThrownBy(() -> binder.bind(tree.get("farm"), Farm.class, "farm"))
                .hasMessage("farm.items[0].id: empty (expected: an id)");
        assertThat(binder.bind(tree.get("absent"), Farm.class, "absent")).isNull();
    }
}
