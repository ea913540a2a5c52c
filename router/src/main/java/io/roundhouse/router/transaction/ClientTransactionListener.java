package io.roundhouse.router.transaction;

import io.roundhouse.router.sip.SipMessage;

/** The transaction user of a client transaction: the proxy's branch, or a UAC such as the OPTIONS prober. */
public interface ClientTransactionListener {

    /**
     * A response the transaction passes up (§17.1): provisional and final, not retransmissions of a final non-2xx.
     * The message shares a buffer released after the call.
     */
    void onResponse(ClientTransaction transaction, SipMessage response);

    /** Timer B or F fired, or the transport failed (§17.1.1.2, §17.1.4): no final response will come. */
    void onTimeout(ClientTransaction transaction, boolean transportError);
}
