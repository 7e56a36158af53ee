using System.Text;

namespace Cairn.Meta.Ctl;

/// <summary>
/// Rows of cells aligned as Go's <c>text/tabwriter</c> aligns influxd-ctl's tables with padding
/// character ' ': every column but the last is as wide as its widest cell plus
/// <c>padding</c>, and at least <c>minWidth</c>; the last cell of a row is written as it is.
/// </summary>
internal sealed class TextTable(int minWidth, int padding)
{
    private readonly List<string[]> _rows = [];

    public TextTable Row(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public void WriteTo(TextWriter output)
    {
        var widths = new List<int>();
        foreach (var row in _rows)
        {
            for (int c = 0; c < row.Length - 1; c++)
            {
                int width = Math.Max(minWidth, row[c].Length + padding);
                if (c == widths.Count) widths.Add(width);
                else widths[c] = Math.Max(widths[c], width);
            }
        }
        var line = new StringBuilder();
        foreach (var row in _rows)
        {
            line.Clear();
            for (int c = 0; c < row.Length; c++)
            {
                line.Append(row[c]);
                if (c < row.Length - 1) line.Append(' ', widths[c] - row[c].Length);
            }
            output.Write(line.Append('\n'));
        }
    }
}
