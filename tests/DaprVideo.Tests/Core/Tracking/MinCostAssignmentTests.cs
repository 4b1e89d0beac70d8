using DaprVideo.Core.Tracking;

namespace DaprVideo.Tests.Core.Tracking;

public class MinCostAssignmentTests
{
    private const double F = MinCostAssignment.Forbidden;

    [Fact]
    public void Finds_the_optimum_where_greedy_by_lowest_cost_does_not()
    {
        // Greedy takes (0,0) = 0.1 and is left with (1,1) = 0.9; the optimum crosses: 0.2 + 0.15.
        var rowToCol = new int[2];
        new MinCostAssignment().Solve([0.1, 0.2, 0.15, 0.9], 2, 2, limit: 2, rowToCol);
        Assert.Equal([1, 0], rowToCol);
    }

    [Fact]
    public void Leaves_pairs_unmatched_when_that_is_cheaper_and_never_takes_a_forbidden_pair()
    {
        var rowToCol = new int[3];
        // Row 0 to column 2 costs 1.2, more than leaving both alone (limit 1.0); row 2 has nothing allowed; rows 0 and 1
        // share columns 0 and 1 at the least total (0.3 + 0.2 beats row 1 alone on its cheapest, 0.1, plus two left over).
        new MinCostAssignment().Solve([F, 0.3, 1.2, 0.2, 0.1, F, F, F, F], 3, 3, limit: 1.0, rowToCol);
        Assert.Equal([1, 0, -1], rowToCol);
    }

    [Fact]
    public void Matches_brute_force_on_random_small_problems()
    {
        var rng = new Random(11);
        var solver = new MinCostAssignment(); // reused: its buffers must not leak between calls
        for (var round = 0; round < 400; round++)
        {
            var rows = rng.Next(0, 5);
            var cols = rng.Next(0, 5);
            var cost = new double[rows * cols];
            for (var i = 0; i < cost.Length; i++) cost[i] = rng.NextDouble() < 0.3 ? F : rng.NextDouble() * 2;
            const double limit = 1.5;
            var rowToCol = new int[rows];
            solver.Solve(cost, rows, cols, limit, rowToCol);

            Assert.Equal(rowToCol.Where(c => c >= 0).Count(), rowToCol.Where(c => c >= 0).Distinct().Count());
            Assert.All(Enumerable.Range(0, rows), r => Assert.True(rowToCol[r] < 0 || cost[r * cols + rowToCol[r]] < F));
            Assert.Equal(BruteForce(cost, rows, cols, limit), Total(cost, rows, cols, limit, rowToCol), 9);
        }
    }

    private static double Total(double[] cost, int rows, int cols, double limit, int[] rowToCol)
    {
        var matched = rowToCol.Count(c => c >= 0);
        var sum = (rows + cols - 2 * matched) * limit / 2;
        for (var r = 0; r < rows; r++) if (rowToCol[r] >= 0) sum += cost[r * cols + rowToCol[r]];
        return sum;
    }

    private static double BruteForce(double[] cost, int rows, int cols, double limit)
    {
        var best = double.PositiveInfinity;
        var assignment = new int[rows];
        void Search(int r, bool[] used)
        {
            if (r == rows)
            {
                best = Math.Min(best, Total(cost, rows, cols, limit, assignment));
                return;
            }
            assignment[r] = -1;
            Search(r + 1, used);
            for (var c = 0; c < cols; c++)
            {
                if (used[c] || cost[r * cols + c] >= F) continue;
                used[c] = true;
                assignment[r] = c;
                Search(r + 1, used);
                used[c] = false;
            }
            assignment[r] = -1;
        }
        Search(0, new bool[cols]);
        return best;
    }
}
