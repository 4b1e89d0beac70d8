namespace DaprVideo.TfServing;

/// <summary>Which TF Serving API the client speaks; chosen by the scheme of TF_SERVING_URL.</summary>
public enum TfServingProtocol
{
    /// <summary><c>PredictionService/Predict</c> over HTTP/2 (grpc:// cleartext, grpcs:// TLS).</summary>
    Grpc,

    /// <summary><c>POST /v1/models/{name}:predict</c> with columnar JSON (http://, https://).</summary>
    Rest,
}
