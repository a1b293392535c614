// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title TestNFT
/// @notice A minimal ERC-721 for tests only (never placed in the sandbox's
/// genesis): enough of the standard to show that a safe transfer to a
/// sandbox account succeeds (the receiver hook is called and its answer
/// checked), plus `forward`, which sends value with Solidity's 2300-gas
/// stipend, to show that the account's receive() fits in it.
contract TestNFT {
    mapping(uint256 => address) public ownerOf;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    error NotOwner(uint256 tokenId);
    error UnsafeRecipient(address to);

    /// Mints tokenId to `to` with the safe-transfer check (anyone may mint).
    function safeMint(address to, uint256 tokenId) external {
        if (ownerOf[tokenId] != address(0)) revert NotOwner(tokenId);
        _move(address(0), to, tokenId);
        _check(address(0), to, tokenId, "");
    }

    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data) public {
        if (ownerOf[tokenId] != from || msg.sender != from) revert NotOwner(tokenId);
        _move(from, to, tokenId);
        _check(from, to, tokenId, data);
    }

    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        safeTransferFrom(from, to, tokenId, "");
    }

    error ForwardFailed(address to);

    /// What the deprecated `transfer` does: a value call with gas 0, so the
    /// callee runs on the 2300-gas stipend alone.
    function forward(address payable to) external payable {
        (bool ok,) = to.call{value: msg.value, gas: 0}("");
        if (!ok) revert ForwardFailed(to);
    }

    function _move(address from, address to, uint256 tokenId) private {
        if (from != address(0)) balanceOf[from]--;
        balanceOf[to]++;
        ownerOf[tokenId] = to;
        emit Transfer(from, to, tokenId);
    }

    // As ERC-721 requires: a recipient with code must answer the hook with
    // its selector; a revert or any other answer fails the transfer.
    function _check(address from, address to, uint256 tokenId, bytes memory data) private {
        if (to.code.length == 0) return;
        try IERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data) returns (bytes4 r) {
            if (r != IERC721Receiver.onERC721Received.selector) revert UnsafeRecipient(to);
        } catch {
            revert UnsafeRecipient(to);
        }
    }
}

interface IERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}
