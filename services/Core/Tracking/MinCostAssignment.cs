namespace DaprVideo.Core.Tracking;

/// <summary>
/// Optimal assignment of rows (tracks) to columns (detections) where leaving a pair unmatched is allowed: the least
/// total cost, with every unmatched row and column costing half of <c>limit</c>, so a pair is only matched when that beats
/// leaving both alone (what ByteTrack's lap.lapjv(extend_cost=True, cost_limit) does). Solved as a square
/// (rows + cols) Hungarian problem (shortest augmenting paths with potentials, O(n^3); e-maxx.ru "Hungarian algorithm").
/// Buffers are kept between calls: one tracker, one thread.
/// </summary>
internal sealed class MinCostAssignment
{
    /// <summary>Cost of a forbidden pair: larger than any sum of allowed costs, so never chosen.</summary>
    public const double Forbidden = 1e9;

    private double[] _a = [];
    private double[] _u = [], _v = [], _minv = [];
    private int[] _p = [], _way = [];
    private bool[] _used = [];

    /// <summary>
    /// <paramref name="cost"/> is rows x cols, row-major (<see cref="Forbidden"/> where not allowed). Writes each row's
    /// column or -1 into <paramref name="rowToCol"/>.
    /// </summary>
    public void Solve(ReadOnlySpan<double> cost, int rows, int cols, double limit, Span<int> rowToCol)
    {
        rowToCol[..rows].Fill(-1);
        if (rows == 0 || cols == 0) return;
        var n = rows + cols;
        Ensure(n);
        var half = limit / 2;
        // Rows: tracks, then one dummy per column; columns: detections, then one dummy per row.
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                double c;
                if (i < rows && j < cols) c = cost[i * cols + j];
                else if (i < rows) c = j - cols == i ? half : Forbidden;
                else if (j < cols) c = i - rows == j ? half : Forbidden;
                else c = 0;
                _a[i * n + j] = c;
            }
        Hungarian(n);
        for (var j = 1; j <= n; j++)
        {
            var i = _p[j] - 1;
            var col = j - 1;
            if (i < rows && col < cols && _a[i * n + col] < Forbidden) rowToCol[i] = col;
        }
    }

    private void Ensure(int n)
    {
        if (_a.Length < n * n) _a = new double[n * n];
        if (_u.Length < n + 1)
        {
            _u = new double[n + 1];
            _v = new double[n + 1];
            _minv = new double[n + 1];
            _p = new int[n + 1];
            _way = new int[n + 1];
            _used = new bool[n + 1];
        }
    }

    // 1-based potentials u (rows), v (columns); p[j] = row assigned to column j.
    private void Hungarian(int n)
    {
        Array.Clear(_u, 0, n + 1);
        Array.Clear(_v, 0, n + 1);
        Array.Clear(_p, 0, n + 1);
        Array.Clear(_way, 0, n + 1);
        for (var i = 1; i <= n; i++)
        {
            _p[0] = i;
            var j0 = 0;
            Array.Fill(_minv, double.PositiveInfinity, 0, n + 1);
            Array.Clear(_used, 0, n + 1);
            do
            {
                _used[j0] = true;
                var i0 = _p[j0];
                var delta = double.PositiveInfinity;
                var j1 = 0;
                var row = (i0 - 1) * n;
                for (var j = 1; j <= n; j++)
                {
                    if (_used[j]) continue;
                    var cur = _a[row + j - 1] - _u[i0] - _v[j];
                    if (cur < _minv[j]) { _minv[j] = cur; _way[j] = j0; }
                    if (_minv[j] < delta) { delta = _minv[j]; j1 = j; }
                }
                for (var j = 0; j <= n; j++)
                {
                    if (_used[j]) { _u[_p[j]] += delta; _v[j] -= delta; }
                    else _minv[j] -= delta;
                }
                j0 = j1;
            } while (_p[j0] != 0);
            do
            {
                var j1 = _way[j0];
                _p[j0] = _p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
    }
}
