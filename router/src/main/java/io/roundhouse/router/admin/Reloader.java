package io.roundhouse.router.admin;

/** Re-reads the router's configuration for {@code POST /api/reload}. */
@FunctionalInterface
public interface Reloader {

    /**
     * Reloads; returns what changed, for the operator.
     *
     * @throws AdminException 422 with the reason when the new configuration is refused (the running one stays)
     */
    String reload();
}
