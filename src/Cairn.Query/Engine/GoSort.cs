namespace Cairn.Query.Engine;

/// <summary>
/// The unstable sort of Go 1.19's <c>sort.Sort</c> (pattern-defeating quicksort), which InfluxDB 1.6.7's
/// published binary is built with. percentile() sorts a window's points by value alone and answers the point at
/// the wanted rank, so when several points tie on that value the one answered (its time) is whichever this sort
/// happens to leave there: a stable sort, or a tie broken by time, picks a different point. Reproduced step for
/// step from the algorithm (insertion sort up to 12 elements, median-of-three or Tukey ninther pivots, the
/// equal-elements partition, the partial insertion sort for nearly sorted input, the deterministic xorshift
/// pattern breaker and the heapsort fallback); written from its description, not copied.
/// </summary>
internal static class GoSort
{
    private enum Hint { Unknown, Increasing, Decreasing }

    /// <summary>Sorts <paramref name="data"/> in place exactly as Go 1.19's <c>sort.Sort</c> with
    /// <c>Less(i, j) = less(data[i], data[j])</c>.</summary>
    public static void Sort<T>(List<T> data, Func<T, T, bool> less)
    {
        int n = data.Count;
        if (n <= 1) return;
        new Sorter<T>(data, less).Pdq(0, n, BitLength((ulong)n));
    }

    private static int BitLength(ulong x) => 64 - System.Numerics.BitOperations.LeadingZeroCount(x);

    private readonly struct Sorter<T>(List<T> data, Func<T, T, bool> less)
    {
        private bool Less(int i, int j) => less(data[i], data[j]);

        private void Swap(int i, int j) => (data[i], data[j]) = (data[j], data[i]);

        public void Pdq(int a, int b, int limit)
        {
            const int maxInsertion = 12;
            bool wasBalanced = true, wasPartitioned = true;
            while (true)
            {
                int length = b - a;
                if (length <= maxInsertion)
                {
                    InsertionSort(a, b);
                    return;
                }
                if (limit == 0)
                {
                    HeapSort(a, b);
                    return;
                }
                if (!wasBalanced)
                {
                    BreakPatterns(a, b);
                    limit--;
                }

                var (pivot, hint) = ChoosePivot(a, b);
                if (hint == Hint.Decreasing)
                {
                    ReverseRange(a, b);
                    pivot = b - 1 - (pivot - a);
                    hint = Hint.Increasing;
                }
                if (wasBalanced && wasPartitioned && hint == Hint.Increasing && PartialInsertionSort(a, b)) return;

                // Many elements equal to the one before this range: put the equal ones first, sort the rest.
                if (a > 0 && !Less(a - 1, pivot))
                {
                    a = PartitionEqual(a, b, pivot);
                    continue;
                }

                var (mid, alreadyPartitioned) = Partition(a, b, pivot);
                wasPartitioned = alreadyPartitioned;
                int leftLength = mid - a, rightLength = b - mid, balanceThreshold = length / 8;
                if (leftLength < rightLength)
                {
                    wasBalanced = leftLength >= balanceThreshold;
                    Pdq(a, mid, limit);
                    a = mid + 1;
                }
                else
                {
                    wasBalanced = rightLength >= balanceThreshold;
                    Pdq(mid + 1, b, limit);
                    b = mid;
                }
            }
        }

        private void InsertionSort(int a, int b)
        {
            for (int i = a + 1; i < b; i++)
                for (int j = i; j > a && Less(j, j - 1); j--) Swap(j, j - 1);
        }

        private void SiftDown(int lo, int hi, int first)
        {
            int root = lo;
            while (true)
            {
                int child = 2 * root + 1;
                if (child >= hi) return;
                if (child + 1 < hi && Less(first + child, first + child + 1)) child++;
                if (!Less(first + root, first + child)) return;
                Swap(first + root, first + child);
                root = child;
            }
        }

        private void HeapSort(int a, int b)
        {
            int hi = b - a;
            for (int i = (hi - 1) / 2; i >= 0; i--) SiftDown(i, hi, a);
            for (int i = hi - 1; i >= 0; i--)
            {
                Swap(a, a + i);
                SiftDown(0, i, a);
            }
        }

        // Moves data[a:b] so that elements before the returned index are less than the pivot and those after are
        // not; the pivot ends at the returned index.
        private (int Mid, bool AlreadyPartitioned) Partition(int a, int b, int pivot)
        {
            Swap(a, pivot);
            int i = a + 1, j = b - 1;
            while (i <= j && Less(i, a)) i++;
            while (i <= j && !Less(j, a)) j--;
            if (i > j)
            {
                Swap(j, a);
                return (j, true);
            }
            Swap(i, j);
            i++;
            j--;
            while (true)
            {
                while (i <= j && Less(i, a)) i++;
                while (i <= j && !Less(j, a)) j--;
                if (i > j) break;
                Swap(i, j);
                i++;
                j--;
            }
            Swap(j, a);
            return (j, false);
        }

        // data[a:b] holds nothing less than the pivot: moves the elements equal to it first, returns where the
        // greater ones start.
        private int PartitionEqual(int a, int b, int pivot)
        {
            Swap(a, pivot);
            int i = a + 1, j = b - 1;
            while (true)
            {
                while (i <= j && !Less(a, i)) i++;
                while (i <= j && Less(a, j)) j--;
                if (i > j) break;
                Swap(i, j);
                i++;
                j--;
            }
            return i;
        }

        // Shifts a few out-of-order neighbours into place; true when data[a:b] ends sorted.
        private bool PartialInsertionSort(int a, int b)
        {
            const int maxSteps = 5, shortestShifting = 50;
            int i = a + 1;
            for (int step = 0; step < maxSteps; step++)
            {
                while (i < b && !Less(i, i - 1)) i++;
                if (i == b) return true;
                if (b - a < shortestShifting) return false;
                Swap(i, i - 1);
                // Go shifts the smaller one down to index 1, not to a: kept as is, it decides the order.
                if (i - a >= 2)
                {
                    for (int j = i - 1; j >= 1; j--)
                    {
                        if (!Less(j, j - 1)) break;
                        Swap(j, j - 1);
                    }
                }
                if (b - i >= 2)
                {
                    for (int j = i + 1; j < b; j++)
                    {
                        if (!Less(j, j - 1)) break;
                        Swap(j, j - 1);
                    }
                }
            }
            return false;
        }

        private void BreakPatterns(int a, int b)
        {
            int length = b - a;
            if (length < 8) return;
            ulong random = (ulong)length;
            uint modulus = 1u << BitLength((ulong)length);
            for (int index = a + length / 4 * 2 - 1; index <= a + length / 4 * 2 + 1; index++)
            {
                random ^= random << 13;
                random ^= random >> 17;
                random ^= random << 5;
                int other = (int)((uint)random & (modulus - 1));
                if (other >= length) other -= length;
                Swap(index, a + other);
            }
        }

        private (int Pivot, Hint Hint) ChoosePivot(int a, int b)
        {
            const int shortestNinther = 50, maxSwaps = 4 * 3;
            int l = b - a, swaps = 0;
            int i = a + l / 4, j = a + l / 4 * 2, k = a + l / 4 * 3;
            if (l >= 8)
            {
                if (l >= shortestNinther)
                {
                    i = Median(i - 1, i, i + 1, ref swaps);
                    j = Median(j - 1, j, j + 1, ref swaps);
                    k = Median(k - 1, k, k + 1, ref swaps);
                }
                j = Median(i, j, k, ref swaps);
            }
            return (j, swaps switch { 0 => Hint.Increasing, maxSwaps => Hint.Decreasing, _ => Hint.Unknown });
        }

        private (int, int) Order2(int a, int b, ref int swaps)
        {
            if (!Less(b, a)) return (a, b);
            swaps++;
            return (b, a);
        }

        private int Median(int a, int b, int c, ref int swaps)
        {
            (a, b) = Order2(a, b, ref swaps);
            (b, c) = Order2(b, c, ref swaps);
            (_, b) = Order2(a, b, ref swaps);
            return b;
        }

        private void ReverseRange(int a, int b)
        {
            for (int i = a, j = b - 1; i < j; i++, j--) Swap(i, j);
        }
    }
}
