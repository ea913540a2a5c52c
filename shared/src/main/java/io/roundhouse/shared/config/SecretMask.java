package io.roundhouse.shared.config;

import java.util.regex.Pattern;

/**
 * Hides secrets in text meant for logs and error messages: the user information of every URL ({@code
 * redis://:secret@host} becomes {@code redis://***@host}) and the value of {@code password=}, {@code secret=} and
 * {@code token=} pairs. One function for the router and the agent, applied to every {@link ConfigException}, so that
 * a message quoting what an operator wrote (a URL Java could not parse, a YAML line) cannot print a password.
 */
public final class SecretMask {

    /** Shown in place of a secret. */
    public static final String MASK = "***";

    /**
     * scheme://userinfo@ up to the last '@' before a blank: a password may hold an unencoded '@' or '/', and masking
     * too much is harmless where masking too little is not.
     */
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)\\S*@");
    /** password=..., secret: ..., token=... (also with a prefix such as ari.password=). */
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "(?i)((?:password|passwd|secret|token)[\"']?\\s*[=:]\\s*[\"']?)[^\\s\"',;}&]+");

    private SecretMask() {
    }

    /** {@code text} with every URL's user information and every secret pair's value replaced by {@value #MASK}. */
    public static String mask(String text) {
        if (text == null || text.indexOf('@') < 0 && !containsSecretWord(text)) {
            return text;
        }
        String masked = URL_USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
        return SECRET_PAIR.matcher(masked).replaceAll("$1" + MASK);
    }

    private static boolean containsSecretWord(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("pass") || lower.contains("secret") || lower.contains("token");
    }
}
