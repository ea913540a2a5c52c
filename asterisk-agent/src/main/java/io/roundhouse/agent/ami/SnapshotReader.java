package io.roundhouse.agent.ami;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.asteriskjava.manager.EventTimeoutException;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ResponseEvents;
import org.asteriskjava.manager.TimeoutException;
import org.asteriskjava.manager.action.ConfbridgeListAction;
import org.asteriskjava.manager.action.ConfbridgeListRoomsAction;
import org.asteriskjava.manager.action.CoreSettingsAction;
import org.asteriskjava.manager.action.CoreShowChannelsAction;
import org.asteriskjava.manager.event.ConfbridgeListEvent;
import org.asteriskjava.manager.event.ConfbridgeListRoomsEvent;
import org.asteriskjava.manager.event.CoreShowChannelEvent;
import org.asteriskjava.manager.event.ResponseEvent;
import org.asteriskjava.manager.response.CoreSettingsResponse;
import org.asteriskjava.manager.response.ManagerError;
import org.asteriskjava.manager.response.ManagerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a full snapshot over one logged-in AMI connection: CoreShowChannels for the channels, ConfbridgeListRooms then
 * ConfbridgeList per room for the conferences. Asterisk's error answers, as captured from 22.10.1, are data here:
 * {@code No active conferences.} means zero rooms, {@code No Conference by that name found.} means the room ended
 * between the two list actions, and {@code Permission denied} means the AMI user lacks {@code reporting} in its write
 * class (logged once per connection as an error that says how to fix it).
 */
final class SnapshotReader {

    private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);

    static final String NO_CONFERENCES = "No active conferences.";
    static final String NO_SUCH_CONFERENCE = "No Conference by that name found.";
    static final String PERMISSION_DENIED = "Permission denied";

    private final ManagerConnection connection;
    private final String username;
    private final long timeoutMillis;
    private boolean permissionLogged;

    SnapshotReader(ManagerConnection connection, String username, long timeoutMillis) {
        this.connection = connection;
        this.username = username;
        this.timeoutMillis = timeoutMillis;
    }

    /** The Asterisk version from CoreSettings, or empty if the user may not ask (needs system or reporting). */
    String version() throws IOException, TimeoutException {
        ManagerResponse response = connection.sendAction(new CoreSettingsAction(), timeoutMillis);
        if (response instanceof CoreSettingsResponse settings && settings.getAsteriskVersion() != null) {
            return settings.getAsteriskVersion();
        }
        log.warn("AMI CoreSettings refused ({}): the Asterisk version will not be published", response.getMessage());
        return "";
    }

    AsteriskSnapshot read() throws IOException, EventTimeoutException, AmiActionException {
        return new AsteriskSnapshot(channels(), rooms());
    }

    private Set<String> channels() throws IOException, EventTimeoutException, AmiActionException {
        ResponseEvents answer = connection.sendEventGeneratingAction(new CoreShowChannelsAction(), timeoutMillis);
        if (answer.getResponse() instanceof ManagerError error) {
            throw new AmiActionException("CoreShowChannels", error.getMessage() + permissionHint(error));
        }
        Set<String> channels = new HashSet<>();
        for (ResponseEvent event : answer.getEvents()) {
            if (event instanceof CoreShowChannelEvent channel) {
                channels.add(channel.getUniqueid() != null ? channel.getUniqueid() : channel.getChannel());
            }
        }
        return channels;
    }

    private Optional<Map<String, Set<String>>> rooms() throws IOException, EventTimeoutException, AmiActionException {
        ResponseEvents answer = connection.sendEventGeneratingAction(new ConfbridgeListRoomsAction(), timeoutMillis);
        if (answer.getResponse() instanceof ManagerError error) {
            return roomsRefused("ConfbridgeListRooms", error);
        }
        Set<String> names = new LinkedHashSet<>();
        for (ResponseEvent event : answer.getEvents()) {
            if (event instanceof ConfbridgeListRoomsEvent room && room.getConference() != null) {
                names.add(room.getConference());
            }
        }
        Map<String, Set<String>> rooms = new HashMap<>();
        for (String name : names) {
            ResponseEvents members = connection.sendEventGeneratingAction(new ConfbridgeListAction(name), timeoutMillis);
            if (members.getResponse() instanceof ManagerError error) {
                String message = error.getMessage();
                if (NO_SUCH_CONFERENCE.equals(message) || NO_CONFERENCES.equals(message)) {
                    continue; // the room ended between ConfbridgeListRooms and ConfbridgeList
                }
                if (roomsRefused("ConfbridgeList", error).isEmpty()) {
                    return Optional.empty();
                }
            }
            Set<String> uniqueIds = new HashSet<>();
            for (ResponseEvent event : members.getEvents()) {
                if (event instanceof ConfbridgeListEvent member) {
                    uniqueIds.add(member.getUniqueid() != null ? member.getUniqueid() : member.getChannel());
                }
            }
            rooms.put(name, uniqueIds);
        }
        return Optional.of(rooms);
    }

    /** Empty rooms for "No active conferences.", no room data for a permission error, an exception otherwise. */
    private Optional<Map<String, Set<String>>> roomsRefused(String action, ManagerError error)
            throws AmiActionException {
        String message = error.getMessage();
        if (NO_CONFERENCES.equals(message)) {
            return Optional.of(Map.of());
        }
        if (PERMISSION_DENIED.equals(message)) {
            if (!permissionLogged) {
                permissionLogged = true;
                log.error("AMI {} refused: Permission denied. Add 'reporting' to the write= line of AMI user '{}' in"
                        + " manager.conf; until then rooms are followed from events only and may drift", action, username);
            }
            return Optional.empty();
        }
        throw new AmiActionException(action, message);
    }

    private String permissionHint(ManagerError error) {
        return PERMISSION_DENIED.equals(error.getMessage())
                ? " (AMI user '" + username + "' needs system or reporting in its write class)" : "";
    }
}
