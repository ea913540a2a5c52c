package io.roundhouse.router.dispatch.strategy;

import java.util.Arrays;

/** Positions left out of a prepared candidate list for one call: a short ascending array (usually empty). */
final class Skips {

    private Skips() {
    }

    static boolean contains(int[] skipped, int position) {
        return skipped.length != 0 && Arrays.binarySearch(skipped, position) >= 0;
    }

    /** The position in the full list of the {@code k}-th (from 0) candidate that is not skipped. */
    static int nth(int[] skipped, int k) {
        int p = k;
        for (int s : skipped) {
            if (s <= p) {
                p++;
            } else {
                break;
            }
        }
        return p;
    }
}
