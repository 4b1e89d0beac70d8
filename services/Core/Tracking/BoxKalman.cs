namespace DaprVideo.Core.Tracking;

/// <summary>
/// Constant-velocity Kalman filter on a box's centre and size (cx, cy, w, h and their velocities), in continuous time:
/// dt is the stream time between analysed frames, which varies as the analysis rate adapts. Process noise is white
/// acceleration (Q = q [dt^3/3, dt^2/2; dt^2/2, dt] per dimension) and the measurement noise is diagonal, both scaled
/// by the box size as in DeepSORT (github.com/nwojke/deep_sort, deep_sort/kalman_filter.py; ByteTrack's copy in
/// yolox/tracker/kalman_filter.py). With F, Q, R and H acting on each dimension alone, the 8x8 covariance stays four
/// independent 2x2 blocks, so the filter keeps just those: exactly the 8x8 filter, a fraction of the arithmetic.
/// Layout: mean[0..3] = positions, mean[4..7] = velocities; cov[3i..3i+2] = (pp, pv, vv) of dimension i.
/// </summary>
internal static class BoxKalman
{
    public const int MeanLength = 8;
    public const int CovarianceLength = 12;
    private const double MinSize = 1e-3;

    /// <summary>A new track at a measured box: velocity unknown (zero, wide variance).</summary>
    public static void Initiate(TrackerOptions o, double cx, double cy, double w, double h, double[] mean, double[] cov)
    {
        mean[0] = cx; mean[1] = cy; mean[2] = w; mean[3] = h;
        mean[4] = mean[5] = mean[6] = mean[7] = 0;
        for (var i = 0; i < 4; i++)
        {
            var s = Scale(mean, i);
            var ps = 2 * o.MeasurementNoise * s;
            var vs = o.InitialVelocityNoise * s;
            cov[3 * i] = ps * ps;
            cov[3 * i + 1] = 0;
            cov[3 * i + 2] = vs * vs;
        }
    }

    /// <summary>Moves the estimate <paramref name="dt"/> seconds on.</summary>
    public static void Predict(TrackerOptions o, double dt, double[] mean, double[] cov)
    {
        if (dt <= 0) return;
        for (var i = 0; i < 4; i++)
        {
            var a = o.AccelerationNoise * Scale(mean, i);
            var q = a * a;
            var pp = cov[3 * i];
            var pv = cov[3 * i + 1];
            var vv = cov[3 * i + 2];
            cov[3 * i] = pp + dt * (2 * pv + dt * vv) + q * dt * dt * dt / 3;
            cov[3 * i + 1] = pv + dt * vv + q * dt * dt / 2;
            cov[3 * i + 2] = vv + q * dt;
        }
        for (var i = 0; i < 4; i++) mean[i] += mean[4 + i] * dt;
    }

    /// <summary>Squared Mahalanobis distance of a measured box from the predicted one (the motion gate).</summary>
    public static double Distance(TrackerOptions o, double[] mean, double[] cov, double cx, double cy, double w, double h)
    {
        var d = 0.0;
        for (var i = 0; i < 4; i++)
        {
            var r = o.MeasurementNoise * Scale(mean, i);
            var y = Component(i, cx, cy, w, h) - mean[i];
            d += y * y / (cov[3 * i] + r * r);
        }
        return d;
    }

    /// <summary>Corrects the estimate with a measured box.</summary>
    public static void Update(TrackerOptions o, double[] mean, double[] cov, double cx, double cy, double w, double h)
    {
        for (var i = 0; i < 4; i++)
        {
            var r = o.MeasurementNoise * Scale(mean, i);
            var pp = cov[3 * i];
            var pv = cov[3 * i + 1];
            var vv = cov[3 * i + 2];
            var s = pp + r * r;
            var kp = pp / s;
            var kv = pv / s;
            var y = Component(i, cx, cy, w, h) - mean[i];
            mean[i] += kp * y;
            mean[4 + i] += kv * y;
            cov[3 * i] = (1 - kp) * pp;
            cov[3 * i + 1] = (1 - kp) * pv;
            cov[3 * i + 2] = vv - kv * pv;
        }
    }

    // x and width scale with the width, y and height with the height (as ByteTrack's successor BoT-SORT's XYWH filter).
    private static double Scale(double[] mean, int dimension) =>
        Math.Max(MinSize, dimension % 2 == 0 ? mean[2] : mean[3]);

    private static double Component(int i, double cx, double cy, double w, double h) => i switch
    {
        0 => cx,
        1 => cy,
        2 => w,
        _ => h,
    };
}
