package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transaction.ClientTransaction;
import io.roundhouse.router.transaction.ClientTransactionListener;

/**
 * For the router's own requests whose responses matter to nobody: a CANCEL (the INVITE's 487 is what counts) and the
 * BYE ending an unwanted leg.
 */
enum IgnoreResponses implements ClientTransactionListener {
    INSTANCE;

    @Override
    public void onResponse(ClientTransaction transaction, SipMessage response) {
    }

    @Override
    public void onTimeout(ClientTransaction transaction, boolean transportError) {
    }
}
