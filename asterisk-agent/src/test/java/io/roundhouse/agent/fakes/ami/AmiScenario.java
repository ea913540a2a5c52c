package io.roundhouse.agent.fakes.ami;

/**
 * Which captured answer the fake gives to each snapshot action: the captures were taken on an idle node and with two
 * callers in ConfBridge room 1000 (the same calls as {@code ami-events-confbridge-2calls.txt}, Uniqueids
 * 1795439624.4 and .5).
 */
public enum AmiScenario {
    IDLE("ami-coreshowchannels-0.txt", "ami-confbridgelistrooms-none.txt", "ami-confbridgelist-none.txt",
            "ami-corestatus.txt"),
    TWO_CALLERS_IN_ROOM_1000("ami-coreshowchannels-2.txt", "ami-confbridgelistrooms-1room.txt",
            "ami-confbridgelist-2participants.txt", "ami-corestatus-2calls.txt");

    final String coreShowChannels;
    final String confbridgeListRooms;
    final String confbridgeList;
    final String coreStatus;

    AmiScenario(String coreShowChannels, String confbridgeListRooms, String confbridgeList, String coreStatus) {
        this.coreShowChannels = coreShowChannels;
        this.confbridgeListRooms = confbridgeListRooms;
        this.confbridgeList = confbridgeList;
        this.coreStatus = coreStatus;
    }
}
