package io.roundhouse.router.dispatch;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The nodes a decision left out, with why: what the view excluded (a map shared by every call of the view, never
 * copied per call), overlaid with what this call added (tried, down, full since the view, ...). A call writes the
 * overlay; the decision keeps a {@link #frozen} copy, so the cost per call is that of its own few exclusions, not of
 * the farm's. Iterating merges both (the decision line does that, off the event loop).
 */
final class Exclusions extends AbstractMap<String, String> {

    private final Map<String, String> base;
    private Map<String, String> overlay;
    private final boolean frozen;

    Exclusions(Map<String, String> base) {
        this(base, null, false);
    }

    private Exclusions(Map<String, String> base, Map<String, String> overlay, boolean frozen) {
        this.base = base;
        this.overlay = overlay;
        this.frozen = frozen;
    }

    @Override
    public String put(String node, String why) {
        if (frozen) {
            throw new UnsupportedOperationException("a decision's exclusions do not change");
        }
        if (overlay == null) {
            overlay = new LinkedHashMap<>();
        }
        String before = get(node);
        overlay.put(node, why);
        return before;
    }

    @Override
    public String get(Object node) {
        String v = overlay == null ? null : overlay.get(node);
        return v != null ? v : base.get(node);
    }

    @Override
    public boolean containsKey(Object node) {
        return get(node) != null;
    }

    @Override
    public int size() {
        int n = base.size();
        if (overlay != null) {
            for (String k : overlay.keySet()) {
                if (!base.containsKey(k)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public boolean isEmpty() {
        return base.isEmpty() && (overlay == null || overlay.isEmpty());
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        if (overlay == null || overlay.isEmpty()) {
            return base.entrySet();
        }
        Map<String, String> merged = new LinkedHashMap<>(base);
        merged.putAll(overlay);
        return java.util.Collections.unmodifiableMap(merged).entrySet();
    }

    /** An unchangeable copy: the view's part shared, this call's part copied. */
    Exclusions frozen() {
        return frozen ? this : new Exclusions(base, overlay == null ? null : Map.copyOf(overlay), true);
    }
}
