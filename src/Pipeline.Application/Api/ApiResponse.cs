namespace Pipeline.Application.Api;

/// <summary>A host-agnostic HTTP answer: status, a JSON body and extra headers. Each host writes it its own way.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Body">The object to serialize as JSON with <see cref="ApiJson.Options"/>, or null.</param>
/// <param name="Headers">Extra response headers.</param>
public sealed record ApiResponse(int Status, object? Body, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>200 with a body.</summary>
    public static ApiResponse Ok(object body) => new(200, body);

    /// <summary>An error with <c>{"error": message}</c>.</summary>
    public static ApiResponse Error(int status, string message) => new(status, new ApiError(message));
}

/// <summary>The body of every error answer.</summary>
/// <param name="Error">What went wrong, and what to do about it.</param>
public sealed record ApiError(string Error);
