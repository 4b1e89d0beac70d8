using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// The answer to HEAD: the GET's result runs against a body that only counts bytes, so HEAD carries the headers a GET
/// would, Content-Length included. (Kestrel drops a HEAD body itself, but then sets no length for results that do
/// not set one, such as JSON, while their GET gets one.)
/// </summary>
internal sealed class HeadResult(IResult get) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var original = httpContext.Features.Get<IHttpResponseBodyFeature>();
        var counter = new CountingStream();
        var counting = new StreamResponseBodyFeature(counter);
        httpContext.Features.Set<IHttpResponseBodyFeature>(counting);
        try
        {
            await get.ExecuteAsync(httpContext);
            await counting.CompleteAsync();
        }
        finally
        {
            httpContext.Features.Set(original);
        }
        var response = httpContext.Response;
        if (response.ContentLength is null && !response.HasStarted && response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified))
            response.ContentLength = counter.Length;
    }

    /// <summary>A write-only sink that remembers how much was written.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _length += count;
            return Task.CompletedTask;
        }

        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
