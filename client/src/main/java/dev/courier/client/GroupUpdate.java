package dev.courier.client;

import org.jspecify.annotations.Nullable;

/**
 * A change of a group's name, announcement or group mute, for {@link CourierClient#updateGroup}; each null field stays
 * as it is. For example {@code GroupUpdate.rename("Launch").withAnnouncement("Friday 10:00")}.
 *
 * @param name 1-128 characters
 * @param announcement 0-2,000 characters ({@code ""} clears it)
 * @param muted the group mute: while true only the owner and admins may send
 */
public record GroupUpdate(
        @Nullable String name,
        @Nullable String announcement,
        @Nullable Boolean muted) {

    public GroupUpdate {
        if (name == null && announcement == null && muted == null) {
            throw new IllegalArgumentException("a group update needs a name, an announcement or muted");
        }
    }

    public static GroupUpdate rename(String name) {
        return new GroupUpdate(name, null, null);
    }

    public static GroupUpdate announce(String announcement) {
        return new GroupUpdate(null, announcement, null);
    }

    public static GroupUpdate mute(boolean muted) {
        return new GroupUpdate(null, null, muted);
    }

    public GroupUpdate withName(String newName) {
        return new GroupUpdate(newName, announcement, muted);
    }

    public GroupUpdate withAnnouncement(String newAnnouncement) {
        return new GroupUpdate(name, newAnnouncement, muted);
    }

    public GroupUpdate withMuted(boolean newMuted) {
        return new GroupUpdate(name, announcement, newMuted);
    }
}
