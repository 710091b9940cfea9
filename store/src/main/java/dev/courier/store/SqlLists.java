package dev.courier.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Pieces of the multi-row and IN-list statements both stages write: chunks of rows, placeholders, tuples. */
public final class SqlLists {

    /** Rows (or ids) per statement: large enough to amortise a round trip, small enough for any packet limit. */
    public static final int ROWS_PER_STATEMENT = 500;

    private SqlLists() {}

    /** The items in consecutive chunks of at most {@code size}. */
    public static <T> List<List<T>> chunks(List<T> items, int size) {
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return chunks;
    }

    /** {@code ?, ?, ...}: {@code count} placeholders for an IN list. */
    public static String placeholders(int count) {
        return tuples(count, "?");
    }

    /** {@code count} copies of {@code tuple}, comma-separated: the VALUES of a multi-row INSERT. */
    public static String tuples(int count, String tuple) {
        return String.join(", ", Collections.nCopies(count, tuple));
    }
}
