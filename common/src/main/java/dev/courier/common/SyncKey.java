package dev.courier.common;

/**
 * What one device has received, per data type (PROTOCOL.md, "Sync API"): the latest account version, contacts
 * version, inbox {@code seq}, conversations version and groups version delivered to it, for one user, within one store
 * {@code epoch}. Clients see it only as the opaque string made by {@link SyncKeyCodec}.
 */
public record SyncKey(
        String userId,
        long epoch,
        long accountVersion,
        long contactsVersion,
        long messageSeq,
        long conversationsVersion,
        long groupsVersion) {

    /** A key of the first format, which knew neither conversations nor groups. */
    public SyncKey(String userId, long epoch, long accountVersion, long contactsVersion, long messageSeq) {
        this(userId, epoch, accountVersion, contactsVersion, messageSeq, 0, 0);
    }

    /** The key of a device that has nothing yet. */
    public static SyncKey initial(String userId, long epoch) {
        return new SyncKey(userId, epoch, 0, 0, 0, 0, 0);
    }
}
