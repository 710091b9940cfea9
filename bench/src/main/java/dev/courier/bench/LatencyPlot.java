package dev.courier.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;

/**
 * Draws latency histograms as HdrHistogram "percentile distribution" charts: the x axis is the percentile on a log
 * scale of {@code 1/(1-p)}, labelled 0%, 90%, 99%, 99.9%, ...; the y axis is the latency in milliseconds, linear from
 * zero, or logarithmic when the lowest 1st percentile and the highest maximum are more than two decades apart. Each
 * series is one coloured line that ends at its own maximum, where its count puts it: a series of n values ends at
 * {@code 1/(1-p) = n}. The legend goes in a corner of the plot that no line crosses, or above the plot.
 *
 * <p>The same chart is written as a PNG (Java2D, headless) or as a hand-written SVG. Empty histograms are left out;
 * series are drawn, coloured and listed in the legend in the map's iteration order.
 */
public final class LatencyPlot {

    static final int WIDTH = 1200;

    static final int HEIGHT = 700;

    private static final String[] PALETTE = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    };

    /** Points sampled per decade of {@code 1/(1-p)}: smooth enough for a curve, small enough for an SVG. */
    private static final int POINTS_PER_DECADE = 60;

    private static final String SVG_FONTS = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";

    private static final FontRenderContext MEASURE = new FontRenderContext(null, true, true);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // a bench host has no display
        }
    }

    private LatencyPlot() {}

    /**
     * Writes the chart as an antialiased 1200x700 PNG.
     *
     * @param series series name to a histogram of latencies recorded in microseconds
     */
    public static void writePng(String title, Map<String, Histogram> series, Path png) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            draw(new PngCanvas(g), title, series);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /**
     * Writes the chart as a 1200x700 SVG document.
     *
     * @param series series name to a histogram of latencies recorded in microseconds
     */
    public static void writeSvg(String title, Map<String, Histogram> series, Path svg) throws IOException {
        SvgCanvas canvas = new SvgCanvas(title);
        draw(canvas, title, series);
        Files.writeString(svg, canvas.finish(), StandardCharsets.UTF_8);
    }

    private static void draw(Canvas c, String title, Map<String, Histogram> histograms) {
        List<Series> series = new ArrayList<>();
        for (Map.Entry<String, Histogram> entry : histograms.entrySet()) {
            if (entry.getValue().getTotalCount() > 0) {
                series.add(Series.of(entry.getKey(), PALETTE[series.size() % PALETTE.length], entry.getValue()));
            }
        }

        // x: decades of 1/(1-p) from 0% to past the largest count, so that every maximum is inside the frame
        long largestCount = series.stream().mapToLong(s -> s.count).max().orElse(100);
        int decades = Math.max(2, (int) Math.floor(Math.log10(largestCount)) + 1);
        YAxis y = YAxis.of(series);

        double labelWidth = 0;
        for (Tick tick : y.ticks) {
            labelWidth = Math.max(labelWidth, c.width(tick.label, 13, false));
        }
        double left = Math.ceil(labelWidth) + 52;
        double right = WIDTH - Math.max(28, Math.ceil(c.width(percentileLabel(decades), 13, false) / 2) + 8);
        double top = 62;
        double bottom = HEIGHT - 68;
        Frame f = new Frame(left, top, right, bottom, decades, y);
        Legend legend = Legend.inside(c, series, f);
        if (legend == null) { // every corner of the frame has data in it: the legend goes above the frame
            legend = Legend.above(c, series, left, right, 52);
            f = new Frame(left, legend.bottom() + 12, right, bottom, decades, y);
            top = f.top;
        }

        c.rect(0, 0, WIDTH, HEIGHT, "#ffffff", null);
        // grid: light lines at 2..9 of every decade (log paper), darker ones at the labelled ticks
        for (int d = 0; d < decades; d++) {
            for (int m = 2; m <= 9; m++) {
                double x = crisp(f.x(m * Math.pow(10, d)));
                c.line(x, top, x, bottom, "#f0f0f0", 1);
            }
        }
        for (double minor : y.minor) {
            double py = crisp(f.y(minor));
            c.line(left, py, right, py, "#f0f0f0", 1);
        }
        for (int d = 0; d <= decades; d++) {
            double x = crisp(f.x(Math.pow(10, d)));
            c.line(x, top, x, bottom, "#d0d0d0", 1);
            c.line(x, bottom, x, bottom + 5, "#444444", 1);
            c.text(percentileLabel(d), x, bottom + 22, 13, false, "#333333", Anchor.MIDDLE, false);
        }
        for (Tick tick : y.ticks) {
            double py = crisp(f.y(tick.value));
            c.line(left, py, right, py, "#d0d0d0", 1);
            c.line(left - 5, py, left, py, "#444444", 1);
            c.text(tick.label, left - 9, py + 4.5, 13, false, "#333333", Anchor.END, false);
        }

        c.clip(left, top, right - left, bottom - top);
        for (Series s : series) {
            c.polyline(f.xs(s), f.ys(s), s.color, 2);
        }
        c.unclip();
        c.rect(crisp(left), crisp(top), crisp(right) - crisp(left), crisp(bottom) - crisp(top), null, "#444444");

        c.text(title, WIDTH / 2.0, 38, 20, true, "#111111", Anchor.MIDDLE, false);
        c.text("Percentile", (left + right) / 2, HEIGHT - 18, 15, false, "#111111", Anchor.MIDDLE, false);
        c.text(
                "Latency (ms)" + (y.log ? ", log scale" : ""),
                24,
                (top + bottom) / 2,
                15,
                false,
                "#111111",
                Anchor.MIDDLE,
                true);
        if (series.isEmpty()) {
            c.text("no data", (left + right) / 2, (top + bottom) / 2, 16, false, "#777777", Anchor.MIDDLE, false);
        } else {
            legend.draw(c, series);
        }
    }

    /**
     * Where the legend goes: a box in the first corner of the frame that no line crosses, tried in the order
     * top-left, bottom-right, top-right, bottom-left (percentile curves rise to the right), else rows above the frame.
     */
    private record Legend(
            double x, double y, double width, double height, double[] entryX, double[] entryY, boolean boxed) {

        private static final double ROW = 22;

        private static final double SAMPLE = 28;

        private static final double GAP = 8;

        double bottom() {
            return y + height;
        }

        static Legend inside(Canvas c, List<Series> series, Frame f) {
            if (series.isEmpty()) {
                return new Legend(0, 0, 0, 0, new double[0], new double[0], false);
            }
            double text = 0;
            for (Series s : series) {
                text = Math.max(text, c.width(s.legend(), 14, false));
            }
            double w = Math.ceil(10 + SAMPLE + GAP + text + 12);
            double h = Math.ceil(series.size() * ROW + 12);
            double margin = 14;
            double[][] corners = {
                {f.left + margin, f.top + margin},
                {f.right - margin - w, f.bottom - margin - h},
                {f.right - margin - w, f.top + margin},
                {f.left + margin, f.bottom - margin - h}
            };
            for (double[] corner : corners) {
                double x = Math.floor(corner[0]);
                double y = Math.floor(corner[1]);
                if (w > f.right - f.left - 2 * margin
                        || h > f.bottom - f.top - 2 * margin
                        || crossed(new Rectangle2D.Double(x - 4, y - 4, w + 8, h + 8), series, f)) {
                    continue;
                }
                double[] ex = new double[series.size()];
                double[] ey = new double[series.size()];
                for (int i = 0; i < ex.length; i++) {
                    ex[i] = x + 10;
                    ey[i] = y + 6 + i * ROW + ROW / 2;
                }
                return new Legend(x, y, w, h, ex, ey, true);
            }
            return null;
        }

        static Legend above(Canvas c, List<Series> series, double left, double right, double top) {
            double column = 0;
            for (Series s : series) {
                column = Math.max(column, SAMPLE + GAP + c.width(s.legend(), 14, false) + 28);
            }
            int columns = (int) Math.max(1, Math.min(series.size(), Math.floor((right - left + 28) / column)));
            double[] ex = new double[series.size()];
            double[] ey = new double[series.size()];
            for (int i = 0; i < ex.length; i++) {
                ex[i] = left + (i % columns) * column;
                ey[i] = top + (i / columns) * ROW + ROW / 2;
            }
            int rows = (series.size() + columns - 1) / columns;
            return new Legend(left, top, right - left, rows * ROW, ex, ey, false);
        }

        private static boolean crossed(Rectangle2D box, List<Series> series, Frame f) {
            for (Series s : series) {
                double[] xs = f.xs(s);
                double[] ys = f.ys(s);
                for (int i = 1; i < xs.length; i++) {
                    if (box.intersectsLine(xs[i - 1], ys[i - 1], xs[i], ys[i])) {
                        return true;
                    }
                }
            }
            return false;
        }

        void draw(Canvas c, List<Series> series) {
            if (boxed) {
                c.rect(x + 0.5, y + 0.5, width, height, "#ffffff", "#bbbbbb");
            }
            for (int i = 0; i < series.size(); i++) {
                Series s = series.get(i);
                c.line(entryX[i], entryY[i], entryX[i] + SAMPLE, entryY[i], s.color, 3);
                c.text(s.legend(), entryX[i] + SAMPLE + GAP, entryY[i] + 5, 14, false, "#222222", Anchor.START, false);
            }
        }
    }

    /** The label of {@code 1/(1-p) = 10^decade}: 0%, 90%, 99%, 99.9%, ... */
    static String percentileLabel(int decade) {
        BigDecimal p =
                BigDecimal.ONE.subtract(BigDecimal.ONE.movePointLeft(decade)).movePointRight(2);
        return p.stripTrailingZeros().toPlainString() + "%";
    }

    /** Centres a 1-pixel line on a pixel so that antialiasing keeps it sharp. */
    private static double crisp(double v) {
        return Math.floor(v) + 0.5;
    }

    private static String format(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    /**
     * One histogram sampled along the x axis, in milliseconds; {@code lowMillis} is where its body starts (the 1st
     * percentile, or the least value above zero), which a log axis reaches down to.
     */
    private record Series(
            String name, String color, long count, double maxMillis, double lowMillis, double[] x, double[] millis) {

        static Series of(String name, String color, Histogram h) {
            long count = h.getTotalCount();
            List<double[]> points = new ArrayList<>();
            // 1/(1-p) from 1 (0%) in even log steps up to the count, where the next value is the maximum
            for (int i = 0; ; i++) {
                double x = Math.pow(10, (double) i / POINTS_PER_DECADE);
                if (x >= count) {
                    break;
                }
                points.add(new double[] {x, h.getValueAtPercentile(100.0 * (1 - 1 / x)) / 1000.0});
            }
            if (count > 1) {
                points.add(new double[] {count, h.getValueAtPercentile(100.0 * (1 - 1.0 / count)) / 1000.0});
            }
            double max = h.getMaxValue() / 1000.0;
            points.add(new double[] {Math.max(count, 1), max});
            if (points.size() == 1) {
                points.add(points.get(0)); // a single value: a dot, from the line's round caps
            }
            double[] x = new double[points.size()];
            double[] millis = new double[points.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = points.get(i)[0];
                millis[i] = points.get(i)[1];
            }
            long low = h.getValueAtPercentile(1.0);
            if (low == 0) {
                low = h.getMaxValue() == 0 ? Long.MAX_VALUE : h.getMinNonZeroValue();
            }
            return new Series(
                    name, color, count, max, low == Long.MAX_VALUE ? Double.MAX_VALUE : low / 1000.0, x, millis);
        }

        String legend() {
            return String.format(Locale.ROOT, "%s (n=%,d, max %s ms)", name, count, millisLabel(maxMillis));
        }

        private static String millisLabel(double ms) {
            int digits = ms >= 100 ? 0 : ms >= 10 ? 1 : ms >= 1 ? 2 : 3;
            return format(BigDecimal.valueOf(ms).setScale(digits, RoundingMode.HALF_UP));
        }
    }

    private record Tick(double value, String label) {}

    /**
     * The latency axis: linear from zero with 1-2-2.5-5 steps, or log when the series' bodies and maxima span over two
     * decades.
     */
    private record YAxis(boolean log, double min, double max, List<Tick> ticks, List<Double> minor) {

        static YAxis of(List<Series> series) {
            double hi = series.stream().mapToDouble(s -> s.maxMillis).max().orElse(0);
            double lo = series.stream().mapToDouble(Series::lowMillis).min().orElse(Double.MAX_VALUE);
            if (hi <= 0) {
                hi = 1;
            }
            if (lo < hi / 100) {
                return log(lo, hi);
            }
            return linear(hi);
        }

        private static YAxis linear(double hi) {
            double raw = hi / 8;
            int exponent = (int) Math.floor(Math.log10(raw));
            double fraction = raw / Math.pow(10, exponent);
            BigDecimal step = BigDecimal.valueOf(
                            fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10)
                    .scaleByPowerOfTen(exponent);
            // a little headroom, so that the top of the highest line does not sit on the frame
            long steps = (long) Math.ceil(hi * 1.02 / step.doubleValue());
            List<Tick> ticks = new ArrayList<>();
            for (long i = 0; i <= steps; i++) {
                BigDecimal value = step.multiply(BigDecimal.valueOf(i));
                ticks.add(new Tick(value.doubleValue(), format(value)));
            }
            return new YAxis(false, 0, step.doubleValue() * steps, ticks, List.of());
        }

        private static YAxis log(double lo, double hi) {
            int from = (int) Math.floor(Math.log10(lo));
            int to = (int) Math.ceil(Math.log10(hi));
            // up to four decades: labels at 1, 2 and 5 of each decade; more: at the decades only
            int[] labelled = to - from <= 4 ? new int[] {1, 2, 5} : new int[] {1};
            double min = Math.pow(10, from);
            double max = Math.pow(10, to);
            for (int m : labelled) { // tighten the ends to the labelled values around the data
                double below = m * Math.pow(10, from);
                if (below <= lo * 1.0000001 && below > min) {
                    min = below;
                }
                double above = m * Math.pow(10, to - 1);
                if (above >= hi && above < max) {
                    max = above;
                }
            }
            List<Tick> ticks = new ArrayList<>();
            List<Double> minor = new ArrayList<>();
            for (int d = from; d <= to; d++) {
                for (int m = 1; m <= 9; m++) {
                    BigDecimal value = BigDecimal.valueOf(m).scaleByPowerOfTen(d);
                    double v = value.doubleValue();
                    if (v < min * 0.999999 || v > max * 1.000001) {
                        continue;
                    }
                    boolean isLabelled = false;
                    for (int l : labelled) {
                        isLabelled |= l == m;
                    }
                    if (isLabelled) {
                        ticks.add(new Tick(v, format(value)));
                    } else {
                        minor.add(v);
                    }
                }
            }
            return new YAxis(true, min, max, ticks, minor);
        }
    }

    /** Maps data to pixels inside the plot area; values beyond the axis land outside it, where the clip hides them. */
    private record Frame(double left, double top, double right, double bottom, int decades, YAxis y) {

        double x(double inverseTail) {
            return left + Math.log10(Math.max(1, inverseTail)) / decades * (right - left);
        }

        double y(double millis) {
            double fraction;
            if (y.log) {
                fraction = millis <= 0 ? -1 : Math.log10(millis / y.min) / Math.log10(y.max / y.min);
            } else {
                fraction = (millis - y.min) / (y.max - y.min);
            }
            return bottom - Math.min(Math.max(fraction, -1), 2) * (bottom - top);
        }

        double[] xs(Series s) {
            double[] xs = new double[s.x.length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = x(s.x[i]);
            }
            return xs;
        }

        double[] ys(Series s) {
            double[] ys = new double[s.millis.length];
            for (int i = 0; i < ys.length; i++) {
                ys[i] = y(s.millis[i]);
            }
            return ys;
        }
    }

    private enum Anchor {
        START,
        MIDDLE,
        END
    }

    /** The few drawing operations the chart needs, for either output. */
    private interface Canvas {

        void rect(double x, double y, double w, double h, String fill, String stroke);

        void line(double x1, double y1, double x2, double y2, String color, double width);

        void polyline(double[] xs, double[] ys, String color, double width);

        /** Until {@link #unclip()}, draws only inside this rectangle. */
        void clip(double x, double y, double w, double h);

        void unclip();

        /** Text with its baseline at y; rotated text reads bottom to top, centred on (x, y). */
        void text(
                String text, double x, double y, int size, boolean bold, String color, Anchor anchor, boolean rotated);

        default double width(String text, int size, boolean bold) {
            return font(size, bold).getStringBounds(text, MEASURE).getWidth();
        }
    }

    private static Font font(int size, boolean bold) {
        return new Font(Font.SANS_SERIF, bold ? Font.BOLD : Font.PLAIN, size);
    }

    private record PngCanvas(Graphics2D g) implements Canvas {

        @Override
        public void rect(double x, double y, double w, double h, String fill, String stroke) {
            Rectangle2D r = new Rectangle2D.Double(x, y, w, h);
            if (fill != null) {
                g.setColor(Color.decode(fill));
                g.fill(r);
            }
            if (stroke != null) {
                g.setColor(Color.decode(stroke));
                g.setStroke(new BasicStroke(1));
                g.draw(r);
            }
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, String color, double width) {
            g.setColor(Color.decode(color));
            g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
            g.draw(new Line2D.Double(x1, y1, x2, y2));
        }

        @Override
        public void polyline(double[] xs, double[] ys, String color, double width) {
            Path2D.Double path = new Path2D.Double();
            path.moveTo(xs[0], ys[0]);
            for (int i = 1; i < xs.length; i++) {
                path.lineTo(xs[i], ys[i]);
            }
            g.setColor(Color.decode(color));
            g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path);
        }

        @Override
        public void clip(double x, double y, double w, double h) {
            g.setClip(new Rectangle2D.Double(x, y, w, h));
        }

        @Override
        public void unclip() {
            g.setClip(null);
        }

        @Override
        public void text(
                String text, double x, double y, int size, boolean bold, String color, Anchor anchor, boolean rotated) {
            Font font = font(size, bold);
            g.setFont(font);
            g.setColor(Color.decode(color));
            double w = font.getStringBounds(text, g.getFontRenderContext()).getWidth();
            double dx = anchor == Anchor.START ? 0 : anchor == Anchor.MIDDLE ? -w / 2 : -w;
            if (rotated) {
                Graphics2D r = (Graphics2D) g.create();
                r.rotate(-Math.PI / 2, x, y);
                r.drawString(text, (float) (x + dx), (float) y);
                r.dispose();
            } else {
                g.drawString(text, (float) (x + dx), (float) y);
            }
        }
    }

    private static final class SvgCanvas implements Canvas {

        private final StringBuilder svg = new StringBuilder();

        private int clips;

        SvgCanvas(String title) {
            svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                    .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                    .append(WIDTH)
                    .append("\" height=\"")
                    .append(HEIGHT)
                    .append("\" viewBox=\"0 0 ")
                    .append(WIDTH)
                    .append(' ')
                    .append(HEIGHT)
                    .append("\" font-family=\"")
                    .append(SVG_FONTS)
                    .append("\">\n")
                    .append("<title>")
                    .append(escape(title))
                    .append("</title>\n");
        }

        String finish() {
            return svg.append("</svg>\n").toString();
        }

        @Override
        public void rect(double x, double y, double w, double h, String fill, String stroke) {
            svg.append("<rect x=\"")
                    .append(n(x))
                    .append("\" y=\"")
                    .append(n(y))
                    .append("\" width=\"")
                    .append(n(w))
                    .append("\" height=\"")
                    .append(n(h))
                    .append("\" fill=\"")
                    .append(fill == null ? "none" : fill)
                    .append('"');
            if (stroke != null) {
                svg.append(" stroke=\"").append(stroke).append("\" stroke-width=\"1\"");
            }
            svg.append("/>\n");
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, String color, double width) {
            svg.append("<line x1=\"")
                    .append(n(x1))
                    .append("\" y1=\"")
                    .append(n(y1))
                    .append("\" x2=\"")
                    .append(n(x2))
                    .append("\" y2=\"")
                    .append(n(y2))
                    .append("\" stroke=\"")
                    .append(color)
                    .append("\" stroke-width=\"")
                    .append(n(width))
                    .append("\"/>\n");
        }

        @Override
        public void polyline(double[] xs, double[] ys, String color, double width) {
            svg.append("<polyline fill=\"none\" stroke=\"")
                    .append(color)
                    .append("\" stroke-width=\"")
                    .append(n(width))
                    .append("\" stroke-linejoin=\"round\" stroke-linecap=\"round\" points=\"");
            for (int i = 0; i < xs.length; i++) {
                svg.append(i == 0 ? "" : " ").append(n(xs[i])).append(',').append(n(ys[i]));
            }
            svg.append("\"/>\n");
        }

        @Override
        public void clip(double x, double y, double w, double h) {
            clips++;
            svg.append("<clipPath id=\"clip")
                    .append(clips)
                    .append("\"><rect x=\"")
                    .append(n(x))
                    .append("\" y=\"")
                    .append(n(y))
                    .append("\" width=\"")
                    .append(n(w))
                    .append("\" height=\"")
                    .append(n(h))
                    .append("\"/></clipPath>\n<g clip-path=\"url(#clip")
                    .append(clips)
                    .append(")\">\n");
        }

        @Override
        public void unclip() {
            svg.append("</g>\n");
        }

        @Override
        public void text(
                String text, double x, double y, int size, boolean bold, String color, Anchor anchor, boolean rotated) {
            svg.append("<text x=\"")
                    .append(n(x))
                    .append("\" y=\"")
                    .append(n(y))
                    .append("\" font-size=\"")
                    .append(size)
                    .append("\" fill=\"")
                    .append(color)
                    .append('"');
            if (bold) {
                svg.append(" font-weight=\"bold\"");
            }
            if (anchor != Anchor.START) {
                svg.append(" text-anchor=\"")
                        .append(anchor == Anchor.MIDDLE ? "middle" : "end")
                        .append('"');
            }
            if (rotated) {
                svg.append(" transform=\"rotate(-90 ")
                        .append(n(x))
                        .append(' ')
                        .append(n(y))
                        .append(")\"");
            }
            svg.append('>').append(escape(text)).append("</text>\n");
        }

        private static String n(double v) {
            String s = String.format(Locale.ROOT, "%.2f", v);
            s = s.endsWith("00")
                    ? s.substring(0, s.length() - 3)
                    : s.endsWith("0") ? s.substring(0, s.length() - 1) : s;
            return s.equals("-0") ? "0" : s;
        }

        private static String escape(String text) {
            StringBuilder out = new StringBuilder(text.length());
            for (char ch : text.toCharArray()) {
                switch (ch) {
                    case '&' -> out.append("&amp;");
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '"' -> out.append("&quot;");
                    case '\'' -> out.append("&apos;");
                    default -> out.append(ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' ? ' ' : ch);
                }
            }
            return out.toString();
        }
    }
}
