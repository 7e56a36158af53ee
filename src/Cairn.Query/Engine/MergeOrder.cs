namespace Cairn.Query.Engine;

/// <summary>
/// The order in which InfluxDB's iterators hand points to a reducer, reproduced so that float arithmetic and ties come
/// out the same. InfluxDB reads each series of a shard with its own cursor and merges the cursors with
/// <c>container/heap</c>: a sorted merge (raw queries, median, percentile, integral, the transformations) pops by
/// time; a window merge (the other aggregates) pops by window and then drains the popped input for that window. Equal
/// keys leave the heap in the order its sift operations put them, which is not input order, so the heap is
/// simulated step by step here.
/// </summary>
internal static class MergeOrder
{
    /// <summary>
    /// InfluxDB runs a tag set's per-series reducers in <c>GOMAXPROCS</c> groups (one goroutine each) and merges the
    /// groups; the grouping decides the order of the series partials. Go's default is the number of CPUs it may use.
    /// </summary>
    public static int Parallelism { get; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Go's <c>container/heap</c> over a list: the same sift steps, so equal elements end up where Go puts them.</summary>
    private sealed class GoHeap<T>(Func<T, T, bool> less)
    {
        public readonly List<T> Items = [];

        public void Init()
        {
            int n = Items.Count;
            for (int i = n / 2 - 1; i >= 0; i--) Down(i, n);
        }

        public void Push(T x)
        {
            Items.Add(x);
            Up(Items.Count - 1);
        }

        public T Pop()
        {
            int n = Items.Count - 1;
            (Items[0], Items[n]) = (Items[n], Items[0]);
            Down(0, n);
            var x = Items[n];
            Items.RemoveAt(n);
            return x;
        }

        private void Up(int j)
        {
            while (true)
            {
                int i = (j - 1) / 2;
                if (i == j || !less(Items[j], Items[i])) break;
                (Items[i], Items[j]) = (Items[j], Items[i]);
                j = i;
            }
        }

        private void Down(int i, int n)
        {
            while (true)
            {
                int j1 = 2 * i + 1;
                if (j1 >= n || j1 < 0) break;
                int j = j1;
                if (j1 + 1 < n && less(Items[j1 + 1], Items[j1])) j = j1 + 1;
                if (!less(Items[j], Items[i])) break;
                (Items[i], Items[j]) = (Items[j], Items[i]);
                i = j;
            }
        }
    }

    private sealed class Cursor<T>(List<T> points)
    {
        public readonly List<T> Points = points;
        public int At;
        public T Peek => Points[At];
    }

    /// <summary>
    /// influxql's sorted merge iterator over <paramref name="inputs"/> (each in output order): pops the input whose next
    /// point comes first (earliest, or latest when descending), emits that one point, pushes the input back.
    /// </summary>
    /// <remarks>
    /// <paramref name="tieLess"/> orders points of equal time (influxql compares the string auxiliary fields of raw
    /// rows); without it equal times are left where the heap puts them.
    /// </remarks>
    public static List<T> Sorted<T>(List<List<T>> inputs, Func<T, long> time, bool ascending, Func<T, T, bool>? tieLess = null)
    {
        if (inputs.Count == 1) return inputs[0];
        var output = new List<T>();
        var heap = new GoHeap<Cursor<T>>((x, y) =>
        {
            long tx = time(x.Peek), ty = time(y.Peek);
            if (tx != ty) return ascending ? tx < ty : tx > ty;
            return tieLess is not null && tieLess(x.Peek, y.Peek);
        });
        foreach (var input in inputs)
            if (input.Count > 0) heap.Items.Add(new Cursor<T>(input));
        heap.Init();
        while (heap.Items.Count > 0)
        {
            var item = heap.Pop();
            output.Add(item.Peek);
            if (++item.At < item.Points.Count) heap.Push(item);
        }
        return output;
    }

    /// <summary>
    /// influxql's (unsorted) merge iterator: pops the input whose next point has the earliest window (latest when
    /// descending) and emits its points while they stay in that window, then pushes it back.
    /// <paramref name="window"/> maps a point to the start of its window.
    /// </summary>
    public static List<T> Windowed<T>(List<List<T>> inputs, Func<T, long> window, bool ascending) =>
        Windowed(inputs, ascending
            ? (x, y) => window(x).CompareTo(window(y))
            : (x, y) => window(y).CompareTo(window(x)));

    /// <summary>
    /// The merge iterator with its whole key: <paramref name="order"/> compares two points as the heap does (name, then
    /// tags, then window, each in output order); the popped input emits its points while they compare equal to its
    /// first one. Over several groups at once, the other groups' points decide where equal keys end up in the heap.
    /// </summary>
    public static List<T> Windowed<T>(List<List<T>> inputs, Comparison<T> order)
    {
        if (inputs.Count == 1) return inputs[0];
        var output = new List<T>();
        var heap = new GoHeap<Cursor<T>>((x, y) => order(x.Peek, y.Peek) < 0);
        foreach (var input in inputs)
            if (input.Count > 0) heap.Items.Add(new Cursor<T>(input));
        heap.Init();
        while (heap.Items.Count > 0)
        {
            var item = heap.Pop();
            var first = item.Peek;
            do
            {
                output.Add(item.Peek);
                item.At++;
            }
            while (item.At < item.Points.Count && order(item.Peek, first) == 0);
            if (item.At < item.Points.Count) heap.Push(item);
        }
        return output;
    }

    /// <summary>
    /// influxql's parallel merge of a tag set's per-series reducers: the inputs (empty ones included, as InfluxDB
    /// creates a reducer per series whether or not it has points) split into <see cref="Parallelism"/> runs of
    /// <c>n / parallelism</c>, the last taking the rest; each run window-merged, then the runs window-merged.
    /// </summary>
    public static List<T> ParallelWindowed<T>(List<List<T>> inputs, Func<T, long> window, bool ascending)
    {
        if (inputs.Count <= 1) return inputs.Count == 0 ? [] : inputs[0];
        int parallelism = Math.Min(Parallelism, inputs.Count);
        int n = inputs.Count / parallelism;
        var outputs = new List<List<T>>(parallelism);
        for (int i = 0; i < parallelism; i++)
        {
            int end = i < parallelism - 1 ? (i + 1) * n : inputs.Count;
            outputs.Add(Windowed(inputs.GetRange(i * n, end - i * n), window, ascending));
        }
        return Windowed(outputs, window, ascending);
    }
}
